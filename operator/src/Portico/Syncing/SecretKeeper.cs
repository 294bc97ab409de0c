using k8s;
using k8s.Models;
using Portico.Core.Kubernetes;

namespace Portico.Syncing;

/// <summary>
/// Which Secrets the store keeps, in a cluster: only those something references (<see cref="SecretReferences"/>: TLS
/// of Ingresses, basic auth of Ingresses and IngressPolicies, the default certificate). The Secret watch sees every
/// Secret (basic auth needs Opaque ones, so it can no longer ask the API server for kubernetes.io/tls only); an
/// unreferenced one leaves only its name here, never its data. When a reference to such a name appears, the name is
/// <see cref="TakeWanted">wanted</see>: the sync loop reads that one Secret (a GET) and hands it back as
/// <see cref="SecretFetched"/>, which counts only if no watch event for it came in the meantime (that event is newer).
/// At most one GET per Secret is outstanding: an answer that no longer counts (the reference went away, or a watch
/// event overtook it) is dropped, and if the Secret is still wanted then, it is read again, so a stale answer never
/// lands in the store (an old password must not keep working).
/// Until every kind is first listed (<see cref="EndInitialSync"/>), unreferenced Secrets are held with their data, so
/// that Ingresses listed after the Secrets find theirs without one GET each; then only names stay.
/// No threads, no clock: the <see cref="ChangeBatcher"/> calls it for every event.
/// </summary>
public sealed class SecretKeeper
{
    private readonly Dictionary<(string Kind, NamespacedName Key), IReadOnlyList<NamespacedName>> _referencesOf = [];
    private readonly Dictionary<NamespacedName, int> _referenceCount = [];
    private readonly HashSet<NamespacedName> _unkept = [];
    private readonly HashSet<NamespacedName> _pending = [];
    private readonly HashSet<NamespacedName> _inFlight = [];
    private readonly List<NamespacedName> _wanted = [];
    private readonly List<NamespacedName> _unreferencedNow = [];
    private readonly List<NamespacedName> _referencedNow = [];
    private Dictionary<NamespacedName, IKubernetesObject<V1ObjectMeta>>? _initial = [];

    public SecretKeeper(NamespacedName? defaultCertificate = null)
    {
        if (defaultCertificate is { } always)
        {
            _referenceCount[always] = 1;
        }
    }

    /// <summary>Names of Secrets seen and not kept (no data). For tests and the objects gauge's meaning.</summary>
    public int UnkeptCount => _unkept.Count;

    public bool IsReferenced(NamespacedName key) => _referenceCount.GetValueOrDefault(key) > 0;

    /// <summary>
    /// Applies one event to <paramref name="store"/> with the keeping rule. Returns true when what the store holds changed.
    /// Events of kinds that reference nothing go to the store unchanged.
    /// </summary>
    public bool Apply(StoreEvent change, ObjectStore store)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(store);
        return change switch
        {
            SecretFetched fetched => ApplyFetched(fetched, store),
            { Kind: KnownKinds.Secret } => ApplySecret(change, store),
            _ => ApplyReferencing(change, store),
        };
    }

    /// <summary>Every kind has been listed once: unreferenced Secrets held since the start are dropped to their names.</summary>
    public void EndInitialSync()
    {
        if (_initial is null)
        {
            return;
        }

        _unkept.UnionWith(_initial.Keys);
        _initial = null;
    }

    /// <summary>Names referenced since the last call whose Secret was seen but not kept: to be read with one GET each.</summary>
    public IReadOnlyList<NamespacedName> TakeWanted()
    {
        var wanted = _wanted.ToList();
        _wanted.Clear();
        return wanted;
    }

    private bool ApplySecret(StoreEvent change, ObjectStore store)
    {
        switch (change)
        {
            case ObjectUpserted upserted:
            {
                var key = ObjectStore.KeyOf(upserted.Value);
                _pending.Remove(key); // newer than any GET in flight
                if (IsReferenced(key))
                {
                    _unkept.Remove(key);
                    _initial?.Remove(key);
                    return store.Upsert(upserted.Value);
                }

                Unkeep(upserted.Value);
                return store.Delete(KnownKinds.Secret, key);
            }

            case ObjectDeleted deleted:
                _pending.Remove(deleted.Key);
                _unkept.Remove(deleted.Key);
                _initial?.Remove(deleted.Key);
                return store.Delete(KnownKinds.Secret, deleted.Key);
            case KindListed listed:
            {
                _unkept.Clear();
                _pending.Clear();
                _initial?.Clear();
                var kept = new List<IKubernetesObject<V1ObjectMeta>>();
                foreach (var value in listed.Values)
                {
                    var key = ObjectStore.KeyOf(value);
                    if (IsReferenced(key))
                    {
                        kept.Add(value);
                    }
                    else
                    {
                        Unkeep(value);
                    }
                }

                return store.Replace(KnownKinds.Secret, kept);
            }

            default:
                return store.Apply(change);
        }
    }

    /// <summary>Remembers an unreferenced Secret: its name, or during the initial sync the whole object.</summary>
    private void Unkeep(IKubernetesObject<V1ObjectMeta> value)
    {
        if (_initial is not null)
        {
            _initial[ObjectStore.KeyOf(value)] = value;
        }
        else
        {
            _unkept.Add(ObjectStore.KeyOf(value));
        }
    }

    private bool ApplyFetched(SecretFetched fetched, ObjectStore store)
    {
        _inFlight.Remove(fetched.Key);

        // Only the answer to a GET still outstanding counts: a watch event since then (or a relist) is newer.
        if (!_pending.Remove(fetched.Key))
        {
            // Overtaken. Still referenced and still only a name (referenced anew while this GET was out): read again.
            if (IsReferenced(fetched.Key) && _unkept.Contains(fetched.Key))
            {
                Want(fetched.Key);
            }

            return false;
        }

        if (fetched.Value is null || !IsReferenced(fetched.Key) || store.Contains(KnownKinds.Secret, fetched.Key))
        {
            return false;
        }

        _unkept.Remove(fetched.Key);
        return store.Upsert(fetched.Value);
    }

    /// <summary>Applies an event of another kind, then moves the references of the objects it touched.</summary>
    private bool ApplyReferencing(StoreEvent change, ObjectStore store)
    {
        bool changed = store.Apply(change);
        switch (change)
        {
            case ObjectUpserted upserted:
                Track(change.Kind, ObjectStore.KeyOf(upserted.Value), SecretReferences.Of(upserted.Value));
                break;
            case ObjectDeleted deleted:
                Track(change.Kind, deleted.Key, []);
                break;
            case KindListed listed:
                var keys = listed.Values.Select(ObjectStore.KeyOf).ToHashSet();
                foreach (var gone in _referencesOf.Keys.Where(k => k.Kind == change.Kind && !keys.Contains(k.Key)).ToList())
                {
                    Track(change.Kind, gone.Key, []);
                }

                foreach (var value in listed.Values)
                {
                    Track(change.Kind, ObjectStore.KeyOf(value), SecretReferences.Of(value));
                }

                break;
        }

        // Secrets referenced now that were held since the start go to the store at once.
        foreach (var key in _referencedNow)
        {
            if (_initial is not null && _initial.Remove(key, out var held))
            {
                changed |= store.Upsert(held);
            }
        }

        // Secrets no longer referenced leave the store; their names stay known.
        foreach (var key in _unreferencedNow)
        {
            if (store.Contains(KnownKinds.Secret, key) && store.Delete(KnownKinds.Secret, key))
            {
                changed = true;
                _unkept.Add(key);
            }
        }

        _referencedNow.Clear();
        _unreferencedNow.Clear();
        return changed;
    }

    /// <summary>Asks for one GET of <paramref name="key"/>; its answer counts unless something newer comes first.</summary>
    private void Want(NamespacedName key)
    {
        _inFlight.Add(key);
        _pending.Add(key);
        _wanted.Add(key);
    }

    private void Track(string kind, NamespacedName key, IReadOnlyList<NamespacedName> references)
    {
        var before = _referencesOf.GetValueOrDefault((kind, key)) ?? [];
        if (references.Count == 0)
        {
            _referencesOf.Remove((kind, key));
        }
        else
        {
            _referencesOf[(kind, key)] = references;
        }

        foreach (var name in references.Except(before))
        {
            int count = _referenceCount.GetValueOrDefault(name) + 1;
            _referenceCount[name] = count;
            if (count == 1)
            {
                _referencedNow.Add(name);
                if (_unkept.Contains(name) && !_inFlight.Contains(name))
                {
                    Want(name);
                }
            }
        }

        foreach (var name in before.Except(references))
        {
            int count = _referenceCount.GetValueOrDefault(name) - 1;
            if (count > 0)
            {
                _referenceCount[name] = count;
            }
            else
            {
                _referenceCount.Remove(name);
                _pending.Remove(name);
                _unreferencedNow.Add(name);
            }
        }
    }
}
