using System.Numerics;

namespace Portico.Core.Rendering.Nginx;

/// <summary>
/// The sizes of nginx's hash tables of names (server_names_hash_*, map_hash_*). nginx stores each exact key as
/// pointer + length + key (aligned to 8) and ends a bucket with a pointer: a key that does not fit a bucket fails
/// `nginx -t` ("could not build ..., you should increase ..._bucket_size"), and so do too few slots. A bucket holding
/// two of the longest keys and up to four slots per key let nginx build the table without that error and without
/// "could not build optimal" (a bucket of one key would need a collision-free hash).
/// </summary>
internal static class NginxHashSizes
{
    /// <summary>nginx's map_hash_max_size when none is set.</summary>
    public const int DefaultMapMaxSize = 2048;

    /// <summary>nginx's *_bucket_size when none is set (the CPU's cache line).</summary>
    public const int DefaultBucketSize = 64;

    /// <summary>(max size, bucket size) for a table of <paramref name="keys"/>, the max size at least <paramref name="minMaxSize"/>.</summary>
    public static (int MaxSize, int BucketSize) For(IReadOnlyCollection<string> keys, int minMaxSize)
    {
        int longest = keys.Count == 0 ? 0 : keys.Max(k => System.Text.Encoding.UTF8.GetByteCount(k));
        int element = 8 + ((longest + 2 + 7) / 8 * 8);
        int bucket = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(DefaultBucketSize, (2 * element) + 8));
        int maxSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minMaxSize, keys.Count * 4));
        return (maxSize, bucket);
    }

    /// <summary>
    /// The exact keys the CORS maps print (<c>templates/nginx/_http_traffic.scriban</c>): the largest of the http
    /// block's maps, and map_hash_* hold for every map and must come before the first.
    /// </summary>
    public static IEnumerable<string> CorsKeys(IEnumerable<NginxCorsMapView> maps) => maps.SelectMany(m =>
        (m.AnyOrigin ? [m.Id + " "] : m.Origins.Select(o => m.Id + " " + o))
            .Concat(m.Expose is null ? [] : ["true " + m.Id]));
}
