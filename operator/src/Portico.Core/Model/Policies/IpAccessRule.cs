using System.Net;

namespace Portico.Core.Model.Policies;

/// <summary>
/// Client address rules: with an allow list only those addresses get through; a deny list refuses its addresses
/// (deny is checked first). Networks are canonical (no bits past the prefix).
/// </summary>
public sealed record IpAccessRule(EquatableArray<IPNetwork> Allow, EquatableArray<IPNetwork> Deny);
