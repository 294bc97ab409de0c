using System.Collections.Immutable;
using Portico.Core.Rendering;

namespace Portico.Core.Applying;

/// <summary>
/// The live data to publish while a reload is in flight: the proxy's old workers still route by the old files, the
/// new ones by the new, so both must find their data (nginx: the endpoints of upstreams either version names).
/// </summary>
public interface ILiveTransition
{
    /// <summary>Live files holding what <paramref name="before"/> (as on disk) and <paramref name="next"/> both need.</summary>
    ImmutableArray<RenderedFile> During(ImmutableArray<RenderedFile> before, RenderedConfig next);
}
