namespace Portico.Options;

/// <summary>How `portico run` writes its log lines to standard output (run:logFormat, --log-format).</summary>
public enum ConsoleLogFormat
{
    /// <summary>One JSON object per line (UTC timestamps), for log collectors: the default when stdout is not a terminal.</summary>
    Json,

    /// <summary>One plain line per entry: time, level, category, message; for a person at a terminal (the default there).</summary>
    Plain,
}
