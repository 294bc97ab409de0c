using System.Text;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Portico.Core.Rendering;

/// <summary>
/// Runs one template of a set over a view object, with bounded loops and recursion, strict variables (a typo in a
/// template is an error, not an empty string) and the proxy's escaping helpers in scope.
/// </summary>
internal static class TemplateRenderer
{
    /// <summary>Bound on iterations of any one loop: far above any real cluster, far below a runaway template.</summary>
    public const int LoopLimit = 5_000_000;

    /// <summary>Bound on one rendered file, in characters. Exceeding it is an error, never a silently cut file.</summary>
    public const int OutputLimit = 1 << 30;

    public static byte[] Render(TemplateSet templates, string name, object view, string helpersName, ScriptObject helpers)
    {
        var context = Context(templates, view, helpersName, helpers);
        try
        {
            string text = templates[name].Render(context);
            return Encoding.UTF8.GetBytes(text);
        }
        catch (ScriptRuntimeException e)
        {
            throw new TemplateException($"template {templates.Proxy}/{name} failed: {e.OriginalMessage} at {e.Span}", e);
        }
    }

    /// <summary>
    /// Runs template <paramref name="name"/> once per item, with the item as its argument ($1) and the view's members
    /// in scope as for <see cref="Render"/>: the text of each call, in order (null items are left null). One context
    /// serves all calls, so many small calls cost little more than one loop in a template.
    /// </summary>
    public static string?[] RenderEach<T>(TemplateSet templates, string name, object view, string helpersName, ScriptObject helpers, IReadOnlyList<T?> items)
        where T : class
    {
        var context = Context(templates, view, helpersName, helpers);
        var call = Template.Parse($"{{{{ include \"{name}\" item }}}}", $"{templates.Proxy}/{name} (each)");
        var texts = new string?[items.Count];
        var scope = new ScriptObject();
        context.PushGlobal(scope);
        try
        {
            for (int i = 0; i < items.Count; i++)
            {
                if (items[i] is not { } item)
                {
                    continue;
                }

                scope.SetValue("item", item, readOnly: false);
                context.PushOutput();
                try
                {
                    texts[i] = call.Render(context);
                }
                finally
                {
                    context.PopOutput();
                }
            }
        }
        catch (ScriptRuntimeException e)
        {
            throw new TemplateException($"template {templates.Proxy}/{name} failed: {e.OriginalMessage} at {e.Span}", e);
        }

        return texts;
    }

    private static TemplateContext Context(TemplateSet templates, object view, string helpersName, ScriptObject helpers)
    {
        var context = new TemplateContext
        {
            LoopLimit = LoopLimit,

            // Scriban's defaults cut long strings and outputs with "..." and carry on: a truncated proxy config that
            // looks whole. No string limit, a bounded output, and an error when it is reached.
            LimitToString = 0,
            OutputLimit = OutputLimit,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            OnStringLimit = ScriptLimitBehavior.Throw,
            RecursiveLimit = 64,
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            NewLine = "\n",
            MemberRenamer = StandardMemberRenamer.Default,
        };
        templates.Prime(context);
        var globals = new ScriptObject();
        globals.Import(view, renamer: StandardMemberRenamer.Default);
        globals.SetValue(helpersName, helpers, readOnly: true);
        context.PushGlobal(globals);
        return context;
    }
}
