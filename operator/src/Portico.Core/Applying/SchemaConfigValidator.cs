using System.Collections.Immutable;
using Portico.Core.Files;
using Portico.Core.Model;
using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>
/// Runs a proxy's schema check (for Envoy: its v3 API protos, <see cref="IConfigSchemaValidator"/>) over a staged
/// version directory before it is swapped in: the files are read back exactly as the proxy will read them.
/// </summary>
public sealed class SchemaConfigValidator(IConfigSchemaValidator schema) : IConfigValidator
{
    /// <summary>At most this many problems are quoted in the result; the count says how many there were.</summary>
    public const int MaxReportedProblems = 10;

    public Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var files = new ConfinedDirectory(versionDirectory).ReadAll()
            .Select(entry => new RenderedFile(entry.Key, entry.Value, IsPrivate: IsPrivate(Path.Combine(versionDirectory, entry.Key))))
            .ToImmutableArray();
        var config = new RenderedConfig(schema.Proxy, files, RenderedConfig.HashOf(files));
        var problems = schema.Validate(config);
        if (problems.Count == 0)
        {
            return Task.FromResult<string?>(null);
        }

        string shown = string.Join("; ", problems.Take(MaxReportedProblems).Select(Printable.Escape));
        string more = problems.Count > MaxReportedProblems ? $" (and {problems.Count - MaxReportedProblems} more)" : string.Empty;
        return Task.FromResult<string?>($"the {schema.Proxy} schema check rejected the configuration: {problems.Count} problems: {shown}{more}");
    }

    private static bool IsPrivate(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0;
}
