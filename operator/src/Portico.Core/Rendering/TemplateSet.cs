using System.Collections.Immutable;
using System.Reflection;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace Portico.Core.Rendering;

/// <summary>
/// The parsed Scriban templates of one proxy: the built-in ones (embedded from templates/PROXY/) with any file of
/// an override directory (DIR/PROXY/NAME) in their place. Partials are files whose name starts with "_" and are
/// used with <c>include "_name"</c>. Everything is parsed once, when the set is loaded.
/// </summary>
public sealed class TemplateSet : ITemplateLoader
{
    public const string Extension = ".scriban";

    private readonly ImmutableDictionary<string, Template> _templates;

    private TemplateSet(string proxy, ImmutableDictionary<string, Template> templates)
    {
        Proxy = proxy;
        _templates = templates;
    }

    public string Proxy { get; }

    public IEnumerable<string> Names => _templates.Keys.Order(StringComparer.Ordinal);

    /// <summary>Loads the built-in templates of <paramref name="proxy"/>, overridden file by file from <paramref name="overrideRoot"/>/PROXY/.</summary>
    public static TemplateSet Load(string proxy, string? overrideRoot = null)
    {
        var sources = new SortedDictionary<string, (string Text, string Origin)>(StringComparer.Ordinal);
        var assembly = typeof(TemplateSet).Assembly;
        string prefix = $"templates/{proxy}/";
        foreach (string resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(prefix, StringComparison.Ordinal)))
        {
            sources[resource[prefix.Length..]] = (ReadResource(assembly, resource), "built-in " + resource);
        }

        if (overrideRoot is not null)
        {
            string directory = Path.Combine(overrideRoot, proxy);
            if (!Directory.Exists(overrideRoot))
            {
                throw new TemplateException($"template directory {overrideRoot} does not exist");
            }

            if (Directory.Exists(directory))
            {
                foreach (string file in Directory.EnumerateFiles(directory, "*" + Extension))
                {
                    sources[Path.GetFileName(file)] = (File.ReadAllText(file), file);
                }
            }
        }

        if (sources.Count == 0)
        {
            throw new TemplateException($"no templates for proxy \"{proxy}\"");
        }

        var parsed = ImmutableDictionary.CreateBuilder<string, Template>(StringComparer.Ordinal);
        foreach (var (name, (text, origin)) in sources)
        {
            var template = Template.Parse(text, origin, lexerOptions: new LexerOptions { KeepTrivia = false });
            if (template.HasErrors)
            {
                throw new TemplateException($"template {origin} does not parse: {string.Join("; ", template.Messages)}");
            }

            parsed[Path.GetFileNameWithoutExtension(name)] = template;
        }

        return new TemplateSet(proxy, parsed.ToImmutable());
    }

    public bool Contains(string name) => _templates.ContainsKey(name);

    public Template this[string name] =>
        _templates.TryGetValue(name, out var template) ? template : throw new TemplateException($"no template \"{name}\" for {Proxy}");

    /// <summary>Makes every template available to <c>include</c> without parsing it again.</summary>
    internal void Prime(TemplateContext context)
    {
        context.TemplateLoader = this;
        foreach (var (name, template) in _templates)
        {
            context.CachedTemplates[name] = template;
        }
    }

    string ITemplateLoader.GetPath(TemplateContext context, SourceSpan callerSpan, string templateName) =>
        _templates.ContainsKey(templateName) ? templateName : throw new TemplateException($"{callerSpan}: no template \"{templateName}\" to include");

    string ITemplateLoader.Load(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
        throw new TemplateException($"{callerSpan}: template \"{templatePath}\" is not loaded");

    ValueTask<string?> ITemplateLoader.LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
        throw new TemplateException($"{callerSpan}: template \"{templatePath}\" is not loaded");

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
