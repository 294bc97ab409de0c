namespace Portico.Core.Model.Policies;

/// <summary>
/// CORS as the proxy answers it: origins in canonical form ("*" alone, or scheme://host[:port], "*." wildcards),
/// methods and header names validated, the preflight's max age.
/// </summary>
public sealed record CorsRule(
    EquatableArray<string> AllowOrigins,
    EquatableArray<string> AllowMethods,
    EquatableArray<string> AllowHeaders,
    EquatableArray<string> ExposeHeaders,
    bool AllowCredentials,
    TimeSpan? MaxAge);
