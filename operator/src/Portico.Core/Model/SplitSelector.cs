namespace Portico.Core.Model;

/// <summary>
/// A request condition a <see cref="SplitAction"/> checks before its weighted draw (ingress-nginx canary-by-header and
/// canary-by-cookie): a request whose <see cref="Source"/> named <see cref="Name"/> has exactly <see cref="Value"/>
/// (case-sensitive) goes to <see cref="UpstreamName"/>. A split's selectors are checked in order and the first that
/// holds decides; when none does, the weights do.
/// <list type="bullet">
/// <item>Header: the request's first header of that name (names compare case-insensitively; the name is lowercase
/// letters, digits and "-", what nginx passes on).</item>
/// <item>Cookie: any cookie of that name (case-sensitive) in the Cookie header carries the value.</item>
/// </list>
/// </summary>
public sealed record SplitSelector(SelectorSource Source, string Name, string Value, string UpstreamName)
{
    public override string ToString() => $"{(Source == SelectorSource.Header ? "header" : "cookie")} {Name}={Printable.Quote(Value)} -> {UpstreamName}";
}

/// <summary>Where a <see cref="SplitSelector"/> looks.</summary>
public enum SelectorSource
{
    Header,
    Cookie,
}
