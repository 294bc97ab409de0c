using System.Collections.Immutable;
using Portico.Core.Model;

namespace Portico.Core.Building;

/// <summary>
/// An object whose status carries conditions, as the part of the build that read it hands it to
/// <see cref="DesiredStatusBuilder"/>: the object, where its status lives, the metadata.generation it was read at, and
/// any conditions that part decided itself (ResolvedRefs, Conflicted, ...). Accepted follows from the diagnostics.
/// </summary>
public sealed record StatusSubject(ObjectRef Target, StatusResource Resource, long? Generation, ImmutableArray<StatusCondition> Conditions);
