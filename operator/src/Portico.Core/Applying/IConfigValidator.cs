namespace Portico.Core.Applying;

/// <summary>Checks a staged configuration with the proxy's own tools before it is swapped in (nginx -t).</summary>
public interface IConfigValidator
{
    /// <summary>Null when <paramref name="versionDirectory"/> holds a configuration the proxy accepts; otherwise why not.</summary>
    Task<string?> ValidateAsync(string versionDirectory, CancellationToken cancellationToken);
}
