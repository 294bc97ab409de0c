namespace Portico.TestSupport;

/// <summary>The built `portico` executable (its own build output, same configuration as the running tests).</summary>
public static class PorticoExecutable
{
    public static string Dll
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            string path = RepositoryPaths.Combine("operator", "src", "Portico", "bin", configuration, "net10.0", "portico.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("build operator/src/Portico first", path);
        }
    }
}
