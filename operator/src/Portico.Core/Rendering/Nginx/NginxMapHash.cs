using System.Numerics;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The sizes of nginx's map hash tables. nginx stores each exact key as pointer + length + key (aligned to 8) and ends
/// a bucket with a pointer; a key that does not fit a bucket fails `nginx -t` ("could not build map_hash"), and too
/// few slots for the keys of a map fail it too. The sizes hold for every map of the http block, and must be set
/// before the first one, so they follow the largest: the CORS map all rules share ("ID ORIGIN" keys).
/// </summary>
internal static class NginxMapHash
{
    public const int DefaultMaxSize = 2048;

    public const int DefaultBucketSize = 64;

    /// <summary>(max size, bucket size) for maps whose exact keys are <paramref name="keys"/> at most (the rest are a handful of short constants).</summary>
    public static (int MaxSize, int BucketSize) For(IReadOnlyCollection<string> keys)
    {
        int longest = keys.Count == 0 ? 0 : keys.Max(k => System.Text.Encoding.UTF8.GetByteCount(k));
        int element = 8 + ((longest + 2 + 7) / 8 * 8);
        int bucket = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(DefaultBucketSize, (2 * element) + 8));
        int maxSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(DefaultMaxSize, keys.Count * 4));
        return (maxSize, bucket);
    }

    /// <summary>The exact keys the CORS maps print (<c>templates/nginx/_http_traffic.scriban</c>).</summary>
    public static IEnumerable<string> CorsKeys(IEnumerable<NginxCorsMapView> maps) => maps.SelectMany(m =>
        (m.AnyOrigin ? [m.Id + " "] : m.Origins.Select(o => m.Id + " " + o))
            .Concat(m.Expose is null ? [] : ["true " + m.Id]));
}
