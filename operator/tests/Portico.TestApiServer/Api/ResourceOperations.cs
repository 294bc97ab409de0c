using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portico.TestApiServer.Json;
using Portico.TestApiServer.Patching;
using Portico.TestApiServer.Resources;
using Portico.TestApiServer.Selectors;
using Portico.TestApiServer.Storage;

namespace Portico.TestApiServer.Api;

/// <summary>
/// The real server's write semantics on top of the store: system metadata (uid, creationTimestamp, generation,
/// resourceVersion), optimistic concurrency, status-subresource separation, no-op updates, patches, validation.
/// </summary>
internal sealed class ResourceOperations(ObjectStore store, TimeProvider time, AdmissionHooks hooks)
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public ObjectStore Store { get; } = store;

    public StoredObject Create(ResourceDefinition resource, string? ns, JsonObject body, bool dryRun)
    {
        CheckTypeAndNamespace(resource, ns, body);
        var metadata = JsonObjects.Metadata(body);
        var name = JsonObjects.GetString(metadata, "name") ?? string.Empty;
        var generateName = JsonObjects.GetString(metadata, "generateName");
        if (name.Length == 0 && !string.IsNullOrEmpty(generateName))
        {
            name = generateName + string.Concat(Enumerable.Range(0, 5).Select(_ => GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)]));
            metadata["name"] = name;
        }

        if (name.Length == 0)
        {
            throw ApiException.Invalid(resource, name, [new FieldProblem("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")]);
        }

        if (!string.IsNullOrEmpty(JsonObjects.GetString(metadata, "resourceVersion")))
        {
            // What the real server's storage layer answers (a 500, not a 400).
            throw ApiException.Internal("resourceVersion should not be set on objects to be created");
        }

        var candidate = PrepareCreate(resource, body);
        var (stored, _) = Store.Write(
            resource, ns, name, current => current is null ? Change.Put(candidate) : throw ApiException.AlreadyExists(resource, name), dryRun);
        return stored!;
    }

    public StoredObject Update(ResourceDefinition resource, string? ns, string name, JsonObject body, bool dryRun)
    {
        CheckTypeAndNamespace(resource, ns, body);
        CheckName(name, body);
        var (stored, _) = Store.Write(resource, ns, name, current => DecideUpdate(resource, name, body, current), dryRun);
        return stored!;
    }

    public StoredObject UpdateStatus(ResourceDefinition resource, string? ns, string name, JsonObject body, bool dryRun)
    {
        CheckTypeAndNamespace(resource, ns, body);
        CheckName(name, body);
        var (stored, _) = Store.Write(resource, ns, name, current => DecideStatusUpdate(resource, name, body, current), dryRun);
        return stored!;
    }

    public StoredObject Patch(ResourceDefinition resource, string? ns, string name, PatchKind kind, JsonNode patch, bool statusOnly, bool dryRun)
    {
        var (stored, _) = Store.Write(resource, ns, name, current =>
        {
            if (current is null)
            {
                throw ApiException.NotFound(resource, name);
            }

            JsonNode? patched;
            try
            {
                patched = kind == PatchKind.Json
                    ? JsonPatch.Apply(JsonObjects.Thaw(current.Json), patch as JsonArray ?? throw new FormatException("a JSON patch must be an array"))
                    : MergePatch.Apply(JsonObjects.Thaw(current.Json), patch);
            }
            catch (FormatException e)
            {
                throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: {e.Message}");
            }

            if (patched is not JsonObject body)
            {
                throw ApiException.BadRequest("the patched object is not a JSON object");
            }

            CheckTypeAndNamespace(resource, ns, body);
            CheckName(name, body);
            return statusOnly ? DecideStatusUpdate(resource, name, body, current) : DecideUpdate(resource, name, body, current);
        }, dryRun);
        return stored!;
    }

    public (StoredObject Deleted, StoredObject Last) Delete(ResourceDefinition resource, string? ns, string name, JsonObject? options, bool dryRun)
    {
        var (deleted, last) = Store.Write(resource, ns, name, current =>
        {
            if (current is null)
            {
                throw ApiException.NotFound(resource, name);
            }

            var preconditions = options?["preconditions"];
            if (preconditions?["uid"]?.GetValue<string>() is { } uid && uid != current.Uid)
            {
                throw ApiException.Conflict(resource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
            }

            if (preconditions?["resourceVersion"]?.GetValue<string>() is { } rv && rv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(
                    resource, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.ResourceVersion}");
            }

            return Change.Delete;
        }, dryRun);
        return (deleted!, last!);
    }

    public IReadOnlyList<StoredObject> DeleteCollection(ResourceDefinition resource, ObjectFilter filter, bool dryRun)
    {
        var deleted = new List<StoredObject>();
        foreach (var obj in Store.Snapshot(resource).Values.Where(filter.Matches))
        {
            try
            {
                deleted.Add(Delete(resource, obj.Namespace, obj.Name, null, dryRun).Deleted);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted concurrently: nothing left to do for it.
            }
        }

        return deleted;
    }

    /// <summary>
    /// The test-side write: stores the object as given (status included, validation and admission skipped),
    /// keeping uid and creationTimestamp when the object already exists and the caller gave none.
    /// </summary>
    public StoredObject Upsert(ResourceDefinition resource, JsonObject obj)
    {
        obj["apiVersion"] ??= resource.ApiVersion;
        obj["kind"] ??= resource.Kind;
        var metadata = JsonObjects.Metadata(obj);
        var name = JsonObjects.GetString(metadata, "name");
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("The object needs metadata.name.", nameof(obj));
        }

        string? ns = null;
        if (resource.Namespaced)
        {
            ns = JsonObjects.GetString(metadata, "namespace");
            if (string.IsNullOrEmpty(ns))
            {
                ns = "default";
                metadata["namespace"] = ns;
            }
        }
        else
        {
            metadata.Remove("namespace");
        }

        metadata.Remove("resourceVersion");
        StringDataIntoData(resource, obj);
        var (stored, _) = Store.Write(resource, ns, name, current =>
        {
            var old = current is null ? null : JsonObjects.Thaw(current.Json);
            var oldMetadata = old is null ? null : JsonObjects.Metadata(old);
            metadata["uid"] ??= oldMetadata?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
            metadata["creationTimestamp"] ??= oldMetadata?["creationTimestamp"]?.DeepClone() ?? Now();
            if (resource.HasSpec && metadata["generation"] is null)
            {
                var generation = oldMetadata?["generation"]?.GetValue<long>() ?? 0;
                metadata["generation"] = old is null ? 1 : JsonNode.DeepEquals(old["spec"], obj["spec"]) ? generation : generation + 1;
            }

            var candidate = Normalize(resource, obj);
            return current is not null && JsonObjects.SameContent(candidate, current.Json) ? Change.None : Change.Put(candidate);
        });
        return stored!;
    }

    private JsonElement PrepareCreate(ResourceDefinition resource, JsonObject body)
    {
        var metadata = JsonObjects.Metadata(body);
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Now();
        foreach (var system in new[] { "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink" })
        {
            metadata.Remove(system);
        }

        if (resource.HasSpec)
        {
            metadata["generation"] = 1;
        }
        else
        {
            metadata.Remove("generation");
        }

        if (resource.HasStatusSubresource)
        {
            // The real strategies reset status on create: only /status writes set it.
            body.Remove("status");
        }

        resource.ApplyDefaults?.Invoke(body);
        StringDataIntoData(resource, body);
        var candidate = Normalize(resource, body);
        Validate(resource, candidate);
        return candidate;
    }

    private Change DecideUpdate(ResourceDefinition resource, string name, JsonObject body, StoredObject? current)
    {
        if (current is null)
        {
            if (!resource.AllowCreateOnUpdate)
            {
                throw ApiException.NotFound(resource, name);
            }

            JsonObjects.Metadata(body).Remove("resourceVersion");
            return Change.Put(PrepareCreate(resource, body));
        }

        CheckResourceVersion(resource, name, body, current);
        var old = JsonObjects.Thaw(current.Json);
        var oldMetadata = JsonObjects.Metadata(old);
        var metadata = JsonObjects.Metadata(body);
        foreach (var system in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            if (oldMetadata[system] is { } value)
            {
                metadata[system] = value.DeepClone();
            }
            else
            {
                metadata.Remove(system);
            }
        }

        metadata["resourceVersion"] = oldMetadata["resourceVersion"]?.DeepClone();
        if (resource.HasStatusSubresource)
        {
            // The main resource ignores status changes: only /status writes it.
            CopyMember(old, body, "status");
        }

        resource.ApplyDefaults?.Invoke(body);
        StringDataIntoData(resource, body);
        var candidate = Normalize(resource, body);
        if (resource.HasSpec && !JsonNode.DeepEquals(JsonNode.Parse(SpecOf(candidate)), JsonNode.Parse(SpecOf(current.Json))))
        {
            var bumped = JsonObjects.Thaw(candidate);
            JsonObjects.Metadata(bumped)["generation"] = (oldMetadata["generation"]?.GetValue<long>() ?? 0) + 1;
            candidate = JsonObjects.Freeze(bumped);
        }

        if (JsonObjects.SameContent(candidate, current.Json))
        {
            return Change.None;
        }

        Validate(resource, candidate);
        return Change.Put(candidate);
    }

    private Change DecideStatusUpdate(ResourceDefinition resource, string name, JsonObject body, StoredObject? current)
    {
        if (current is null)
        {
            throw ApiException.NotFound(resource, name);
        }

        CheckResourceVersion(resource, name, body, current);

        // Everything but the status comes from the stored object: spec and metadata changes through /status are ignored.
        var updated = JsonObjects.Thaw(current.Json);
        CopyMember(body, updated, "status");
        var candidate = Normalize(resource, updated);
        if (JsonObjects.SameContent(candidate, current.Json))
        {
            return Change.None;
        }

        Validate(resource, candidate);
        return Change.Put(candidate);
    }

    private static void CheckResourceVersion(ResourceDefinition resource, string name, JsonObject body, StoredObject current)
    {
        var expected = JsonObjects.GetString(JsonObjects.Metadata(body), "resourceVersion");
        if (!string.IsNullOrEmpty(expected) && expected != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiException.StaleResourceVersion(resource, name);
        }
    }

    private static void CheckTypeAndNamespace(ResourceDefinition resource, string? ns, JsonObject body)
    {
        var apiVersion = JsonObjects.GetString(body, "apiVersion");
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != resource.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.ApiVersion})");
        }

        var kind = JsonObjects.GetString(body, "kind");
        if (!string.IsNullOrEmpty(kind) && kind != resource.Kind)
        {
            throw ApiException.BadRequest($"{kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: the kind in the data does not match");
        }

        body["apiVersion"] = resource.ApiVersion;
        body["kind"] = resource.Kind;
        var metadata = JsonObjects.Metadata(body);
        if (!resource.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        var bodyNamespace = JsonObjects.GetString(metadata, "namespace");
        if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        metadata["namespace"] = ns;
    }

    private static void CheckName(string name, JsonObject body)
    {
        var bodyName = JsonObjects.GetString(JsonObjects.Metadata(body), "name") ?? string.Empty;
        if (bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
    }

    private void Validate(ResourceDefinition resource, JsonElement candidate)
    {
        var obj = JsonObjects.Thaw(candidate);
        var name = JsonObjects.GetString(JsonObjects.Metadata(obj), "name") ?? string.Empty;
        var problems = ResourceValidation.Common(obj, resource.NameRule)
            .Concat(resource.Validate?.Invoke(obj) ?? [])
            .Concat(hooks.Check(resource, candidate).Select(m => new FieldProblem(string.Empty, "FieldValueInvalid", m)))
            .ToList();
        if (problems.Count > 0)
        {
            throw ApiException.Invalid(resource, name, problems);
        }
    }

    private static JsonElement Normalize(ResourceDefinition resource, JsonObject body)
    {
        try
        {
            return resource.Normalize(body);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw ApiException.BadRequest($"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: {e.Message}");
        }
    }

    /// <summary>The real server turns Secret stringData into base64 data on write; stringData is never stored.</summary>
    private static void StringDataIntoData(ResourceDefinition resource, JsonObject obj)
    {
        if (resource != ResourceRegistry.Secrets || obj["stringData"] is not JsonObject stringData)
        {
            obj.Remove("stringData");
            return;
        }

        if (obj["data"] is not JsonObject data)
        {
            data = [];
            obj["data"] = data;
        }

        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? string.Empty));
        }

        obj.Remove("stringData");
    }

    private static void CopyMember(JsonObject from, JsonObject to, string member)
    {
        if (from[member] is { } value)
        {
            to[member] = value.DeepClone();
        }
        else
        {
            to.Remove(member);
        }
    }

    private static string SpecOf(JsonElement obj) => obj.TryGetProperty("spec", out var spec) ? spec.GetRawText() : "null";

    private string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
