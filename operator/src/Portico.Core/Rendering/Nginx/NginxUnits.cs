using System.Globalization;

namespace Portico.Core.Rendering.Nginx;

/// <summary>nginx's units for times and sizes.</summary>
internal static class NginxUnits
{
    /// <summary>nginx time: whole seconds as "75s", otherwise milliseconds.</summary>
    public static string Time(TimeSpan value)
    {
        long ms = (long)value.TotalMilliseconds;
        return ms % 1000 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}s") : string.Create(CultureInfo.InvariantCulture, $"{ms}ms");
    }

    /// <summary>nginx size: the largest of m, k or bytes that is exact.</summary>
    public static string Size(long bytes) => bytes switch
    {
        > 0 when bytes % (1024 * 1024) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)}m"),
        > 0 when bytes % 1024 == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024}k"),
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };
}
