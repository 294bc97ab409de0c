using System.Collections.Immutable;
using Portico.Core.Model;

namespace Portico.Core.Manifests;

/// <summary>What reading manifests produced: the objects Portico uses, in file order, and diagnostics about the rest.</summary>
public sealed record ManifestSet(ImmutableArray<ManifestObject> Objects, ImmutableArray<Diagnostic> Diagnostics);
