namespace Portico.Cli;

/// <summary>What `explain` and `plan` print: for a person (text), a pull-request comment (markdown), or a tool (json).</summary>
internal enum OutputFormat
{
    Text,
    Markdown,
    Json,
}
