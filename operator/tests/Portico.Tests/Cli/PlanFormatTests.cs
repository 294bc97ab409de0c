using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Portico.Cli;
using Portico.Core.Explaining;
using Portico.Core.Model;
using Portico.Tests.Building;
using Portico.TestSupport;

namespace Portico.Tests.Cli;

/// <summary>plan's text and markdown forms: colour only when asked, and hostile values that can neither break the table nor inject HTML.</summary>
public sealed class PlanFormatTests : BuilderTestBase
{
    private static RoutePlan HostilePlan()
    {
        var before = Build([.. Web()]);
        var after = Build([Kube.Ingress("a").WithPath("x.test", "/p", "Prefix", "web", 80), .. Web()]);
        var hostile = new Diagnostic(Severity.Warning, new ObjectRef("Ingress", "default", "a"), "spec", "a | b <script>alert(1)</script> `x` *y*\nnext");
        return RoutePlanner.Plan(before, [], after, [hostile]);
    }

    [Test]
    public void Text_is_coloured_only_when_asked()
    {
        var plan = HostilePlan();
        Assert.That(PlanText.Format(plan, colour: true), Does.Contain("\u001b[32m  + Prefix /p\u001b[0m"));
        Assert.That(PlanText.Format(plan, colour: false), Does.Not.Contain("\u001b["));
    }

    [Test]
    public void Markdown_escapes_what_would_break_the_table_or_inject_markup()
    {
        string markdown = PlanMarkdown.Format(HostilePlan());
        Assert.That(markdown, Does.Not.Contain("<script>"));
        var document = Markdown.Parse(markdown, new MarkdownPipelineBuilder().UsePipeTables().Build());
        Assert.That(document.Descendants<Table>().Single().OfType<TableRow>().Select(r => r.Count), Is.All.EqualTo(5));
        var html = document.Descendants<HtmlBlock>().Select(b => b.Lines.ToString()).ToList();
        Assert.That(html, Has.None.Contains("<script"), "only the details tags are HTML");
        Assert.That(markdown, Does.Contain("\\*y\\* next"), "one line: a line break could start a heading");
    }
}
