namespace Portico.Core.Building;

/// <summary>
/// The field names of an Ingress's rules and paths ("spec.rules[0].http.paths[2]"), which every route keeps to say
/// where it came from. They are made once for the common indexes and shared: at 10,000 Ingresses a fresh string per
/// route was 30,000 copies of a handful of values (~2 MiB, issue 13).
/// </summary>
internal static class IngressFields
{
    private const int CachedRules = 16;
    private const int CachedPaths = 64;

    private static readonly string[] RuleFields = Enumerable.Range(0, CachedRules).Select(MakeRule).ToArray();
    private static readonly string[,] PathFields = MakePaths();

    public static string Rule(int rule) => rule < CachedRules ? RuleFields[rule] : MakeRule(rule);

    public static string Path(int rule, int path) =>
        rule < CachedRules && path < CachedPaths ? PathFields[rule, path] : MakePath(rule, path);

    private static string MakeRule(int rule) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"spec.rules[{rule}]");

    private static string MakePath(int rule, int path) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"spec.rules[{rule}].http.paths[{path}]");

    private static string[,] MakePaths()
    {
        var fields = new string[CachedRules, CachedPaths];
        for (int i = 0; i < CachedRules; i++)
        {
            for (int j = 0; j < CachedPaths; j++)
            {
                fields[i, j] = MakePath(i, j);
            }
        }

        return fields;
    }
}
