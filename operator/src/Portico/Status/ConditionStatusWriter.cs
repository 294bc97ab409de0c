using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portico.Core.Model;
using Portico.Observability;

namespace Portico.Status;

/// <summary>
/// The conditions part of <see cref="StatusWriter"/>: writes status.conditions of any kind through the generic
/// (custom objects) API, so a new kind needs no code here, only its <see cref="StatusResource"/>. Per object: read it,
/// merge the desired conditions into the stored ones by type (conditions of other types are someone else's and kept;
/// lastTransitionTime is kept while a condition's status stays the same, else it becomes now), and, only when that
/// changes anything, send a JSON merge patch of status.conditions to the status subresource carrying the
/// resourceVersion read. A 409 means the object changed: it is read again and the merge redone (bounded). Conditions
/// stored with a newer observedGeneration than the model's (a newer leader's work) are not overwritten.
/// </summary>
internal sealed partial class ConditionStatusWriter
{
    private const int MaxWriteAttempts = 5;

    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PorticoMetrics _metrics;

    public ConditionStatusWriter(IKubernetes client, TimeProvider time, ILogger logger, PorticoMetrics metrics)
    {
        _client = client;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Writes every status that has conditions; false when any write failed (the caller retries later).</summary>
    public async Task<bool> SyncAsync(IEnumerable<ObjectStatus> statuses, CancellationToken cancellationToken)
    {
        bool allWritten = true;
        foreach (var status in statuses.Where(s => !s.Conditions.IsEmpty))
        {
            allWritten &= await WriteAsync(status, cancellationToken) is not null;
        }

        return allWritten;
    }

    /// <summary>True when written, false when there was nothing to write (or the object is gone), null when it failed.</summary>
    private async Task<bool?> WriteAsync(ObjectStatus desired, CancellationToken cancellationToken)
    {
        var target = desired.Target;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (await ReadAsync(desired, cancellationToken) is not { } live)
                {
                    return false;
                }

                string? resourceVersion = live["metadata"]?["resourceVersion"]?.GetValue<string>();
                var stored = live["status"]?["conditions"] as JsonArray ?? [];
                if (Merge(stored, desired.Conditions, _time.GetUtcNow()) is not { } merged)
                {
                    return false;
                }

                var patch = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
                    ["status"] = new JsonObject { ["conditions"] = merged },
                };
                await PatchAsync(desired, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken);
                _metrics.StatusWrites.WithLabels("updated").Inc();
                string summary = string.Join(", ", desired.Conditions.Select(c => $"{c.Type}={c.Status}"));
                LogWritten(target, summary);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxWriteAttempts)
            {
                _metrics.StatusWrites.WithLabels("conflict").Inc();
                LogConflict(target, attempt);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _metrics.StatusWrites.WithLabels("failed").Inc();
                int code = e is HttpOperationException http ? (int)http.Response.StatusCode : 0;
                LogWriteFailed(target, code, e.Message);
                return null;
            }
        }
    }

    /// <summary>
    /// The stored conditions with the desired ones merged in by type, or null when that changes nothing (or the stored
    /// ones were computed from a newer generation than the desired ones).
    /// </summary>
    internal static JsonArray? Merge(JsonArray stored, IReadOnlyList<StatusCondition> desired, DateTimeOffset now)
    {
        var byType = desired.ToDictionary(c => c.Type, StringComparer.Ordinal);
        var merged = new JsonArray();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        string nowText = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        foreach (var node in stored)
        {
            if (node is JsonObject condition && Text(condition, "type") is { } type && byType.TryGetValue(type, out var want))
            {
                if (condition["observedGeneration"] is JsonValue seen && seen.TryGetValue(out long seenGeneration)
                    && want.ObservedGeneration is { } wantGeneration && seenGeneration > wantGeneration)
                {
                    return null;
                }

                // A duplicate of a type we own is dropped; the first keeps its place in the list.
                if (placed.Add(type))
                {
                    bool sameStatus = Text(condition, "status") == want.Status.ToString();
                    merged.Add(ToJson(want, sameStatus ? Text(condition, "lastTransitionTime") ?? nowText : nowText));
                }

                continue;
            }

            merged.Add(node?.DeepClone());
        }

        foreach (var want in desired.Where(c => !placed.Contains(c.Type)))
        {
            merged.Add(ToJson(want, nowText));
        }

        return JsonNode.DeepEquals(merged, stored) ? null : merged;
    }

    private static JsonObject ToJson(StatusCondition condition, string lastTransitionTime)
    {
        var json = new JsonObject
        {
            ["type"] = condition.Type,
            ["status"] = condition.Status.ToString(),
        };
        if (condition.ObservedGeneration is { } generation)
        {
            json["observedGeneration"] = generation;
        }

        json["lastTransitionTime"] = lastTransitionTime;
        json["reason"] = condition.Reason;
        json["message"] = condition.Message;
        return json;
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private async Task<JsonObject?> ReadAsync(ObjectStatus desired, CancellationToken cancellationToken)
    {
        var (target, resource) = (desired.Target, desired.Resource);
        try
        {
            object read = target.Namespace.Length == 0
                ? await _client.CustomObjects.GetClusterCustomObjectAsync(resource.Group, resource.Version, resource.Plural, target.Name, cancellationToken)
                : await _client.CustomObjects.GetNamespacedCustomObjectAsync(resource.Group, resource.Version, target.Namespace, resource.Plural, target.Name, cancellationToken);
            return read switch
            {
                JsonElement element => JsonObject.Create(element),
                _ => JsonSerializer.SerializeToNode(read) as JsonObject,
            };
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task PatchAsync(ObjectStatus desired, V1Patch patch, CancellationToken cancellationToken)
    {
        var (target, resource) = (desired.Target, desired.Resource);
        if (target.Namespace.Length == 0)
        {
            await _client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, resource.Group, resource.Version, resource.Plural, target.Name, cancellationToken: cancellationToken);
        }
        else
        {
            await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, resource.Group, resource.Version, target.Namespace, resource.Plural, target.Name, cancellationToken: cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote status conditions of {Target}: {Conditions}")]
    private partial void LogWritten(ObjectRef target, string conditions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status of {Target} changed meanwhile (409, attempt {Attempt}); reading it again")]
    private partial void LogConflict(ObjectRef target, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing status conditions of {Target} failed ({Code}: {Reason})")]
    private partial void LogWriteFailed(ObjectRef target, int code, string reason);
}
