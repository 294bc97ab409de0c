namespace Portico.Core.Applying;

/// <summary>Finds a proxy binary the way a shell would: the first match on PATH, then well-known directories.</summary>
public static class ExecutableLookup
{
    public static string? Find(string name, params string[] fallbackDirectories) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(fallbackDirectories)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
