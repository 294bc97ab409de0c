using k8s;
using k8s.Models;

namespace Portico.Core.Kubernetes;

/// <summary>What a source (a watcher, the manifest directory) tells the store. The sync loop is the only reader.</summary>
public abstract record StoreEvent(string Kind);

/// <summary>An object was added or modified.</summary>
public sealed record ObjectUpserted(string Kind, IKubernetesObject<V1ObjectMeta> Value) : StoreEvent(Kind);

/// <summary>An object was deleted.</summary>
public sealed record ObjectDeleted(string Kind, NamespacedName Key) : StoreEvent(Kind);

/// <summary>A full list of one kind (first list, or a relist after 410): the store's set of that kind becomes exactly this; the source is synced.</summary>
public sealed record KindListed(string Kind, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Values) : StoreEvent(Kind);

/// <summary>
/// A Secret read on request (a single GET) because something started to reference it while only its name was known
/// (the operator keeps only referenced Secrets). Applied only if no watch event for it came in the meantime.
/// </summary>
public sealed record SecretFetched(NamespacedName Key, V1Secret? Value) : StoreEvent(KnownKinds.Secret);
