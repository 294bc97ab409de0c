using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Portico.TestApiServer.Internal;
using Portico.TestApiServer.Json;
using Portico.TestApiServer.Resources;
using Portico.TestApiServer.Selectors;
using Portico.TestApiServer.Storage;

namespace Portico.TestApiServer.Api;

/// <summary>
/// The one HTTP entry point: parses the URL like the real server's router, applies injected faults, runs the
/// verb, records the request, and writes JSON (or a chunked watch stream, or a Status on error).
/// </summary>
internal sealed class ApiRequestHandler(
    ResourceOperations operations,
    ServedResources resources,
    FaultInjector faults,
    RequestLog log,
    TimeProvider time,
    Func<string> serverAddress,
    Func<CancellationToken> serverStopping)
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping());
        var cancellationToken = aborted.Token;
        RequestTarget? target = null;
        string? body = null;
        try
        {
            target = RequestTarget.Parse(request.Method, request.Path.Value ?? "/", ParseBool(request.Query["watch"]) == true, resources);
            if (request.Method is "POST" or "PUT" or "PATCH" or "DELETE")
            {
                using var reader = new StreamReader(request.Body);
                body = await reader.ReadToEndAsync(cancellationToken);
            }

            var latency = faults.LatencyFor(target.Resource?.Plural, target.Verb);
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, time, cancellationToken);
            }

            if (faults.TakeFailure(target.Resource?.Plural, target.Verb) is int code)
            {
                if (code is 429 or 503)
                {
                    context.Response.Headers.RetryAfter = "1";
                }

                throw new ApiException(code, StatusObjects.ReasonFor(code), $"injected by the test API server ({code} for {target.Verb} {target.Resource?.Plural ?? "discovery"})");
            }

            await DispatchAsync(context, target, body, cancellationToken);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await RespondAsync(context, target, e.Code, body, w => e.ToStatus().WriteTo(w), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or the server is stopping: as for a crashed server, the connection just breaks.
            context.Abort();
        }
    }

    private async Task DispatchAsync(HttpContext context, RequestTarget target, string? body, CancellationToken cancellationToken)
    {
        if (target.IsDiscovery)
        {
            await DiscoveryAsync(context, target, cancellationToken);
            return;
        }

        var resource = target.Resource!;
        var query = context.Request.Query;
        var dryRun = ParseDryRun(query["dryRun"]);
        switch (target.Verb)
        {
            case ApiVerbs.Watch:
                await WatchAsync(context, target, body, cancellationToken);
                return;
            case ApiVerbs.List:
                var page = List(resource, target, query);
                await RespondAsync(context, target, 200, body, w => WriteList(w, resource, page), cancellationToken);
                return;
            case ApiVerbs.Get:
                var found = operations.Store.Get(resource, target.Namespace, target.Name!) ?? throw ApiException.NotFound(resource, target.Name!);
                await RespondAsync(context, target, 200, body, w => found.Json.WriteTo(w), cancellationToken);
                return;
            case ApiVerbs.Create:
                var created = operations.Create(resource, target.Namespace, ParseObject(body, context.Request.ContentType), dryRun);
                await RespondAsync(context, target, 201, body, w => created.Json.WriteTo(w), cancellationToken);
                return;
            case ApiVerbs.Update:
                var bodyObject = ParseObject(body, context.Request.ContentType);
                var updated = target.Subresource == "status"
                    ? operations.UpdateStatus(resource, target.Namespace, target.Name!, bodyObject, dryRun)
                    : operations.Update(resource, target.Namespace, target.Name!, bodyObject, dryRun);
                await RespondAsync(context, target, 200, body, w => updated.Json.WriteTo(w), cancellationToken);
                return;
            case ApiVerbs.Patch:
                var kind = PatchKindOf(context.Request.ContentType);
                var patch = ParseJson(body);
                var patched = operations.Patch(resource, target.Namespace, target.Name!, kind, patch, target.Subresource == "status", dryRun);
                await RespondAsync(context, target, 200, body, w => patched.Json.WriteTo(w), cancellationToken);
                return;
            case ApiVerbs.Delete:
                var options = string.IsNullOrWhiteSpace(body) ? null : ParseJson(body) as JsonObject;
                var (deleted, last) = operations.Delete(resource, target.Namespace, target.Name!, options, dryRun);
                await RespondAsync(context, target, 200, body, w => WriteDeleted(w, resource, deleted, last), cancellationToken);
                return;
            case ApiVerbs.DeleteCollection:
                var removed = operations.DeleteCollection(resource, Filter(resource, target, query), dryRun);
                var removedPage = new ListPage(removed, operations.Store.Revision, null, null);
                await RespondAsync(context, target, 200, body, w => WriteList(w, resource, removedPage), cancellationToken);
                return;
            default:
                throw ApiException.MethodNotAllowed(target.Verb);
        }
    }

    private async Task DiscoveryAsync(HttpContext context, RequestTarget target, CancellationToken cancellationToken)
    {
        if (target.Segments is ["healthz" or "livez" or "readyz"])
        {
            Record(context, target, 200, null);
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("ok", cancellationToken);
            return;
        }

        var document = DiscoveryDocuments.Find(target.Segments, serverAddress(), resources) ?? throw ApiException.NoSuchPath();
        await RespondAsync(context, target, 200, null, w => document.WriteTo(w), cancellationToken);
    }

    private ListPage List(ResourceDefinition resource, RequestTarget target, IQueryCollection query)
    {
        var filter = Filter(resource, target, query);
        var resourceVersion = query["resourceVersion"].ToString();
        var match = query["resourceVersionMatch"].ToString();
        var continueToken = query["continue"].ToString();
        var limit = ParseInt(query["limit"], "limit");
        long? at = null;
        string? after = null;
        if (continueToken.Length > 0)
        {
            if (resourceVersion.Length > 0)
            {
                throw ApiException.BadRequest("specifying resource version is not allowed when using continue");
            }

            (at, after) = ContinueToken.Decode(continueToken);
        }
        else if (resourceVersion.Length > 0 && resourceVersion != "0")
        {
            var requested = ParseResourceVersion(resourceVersion);
            var current = operations.Store.Revision;
            if (match == "Exact")
            {
                at = requested;
            }
            else if (requested > current)
            {
                throw new ApiException(504, "Timeout", $"Too large resource version: {requested}, current: {current}");
            }
        }
        else if (match == "Exact")
        {
            throw ApiException.BadRequest($"resourceVersionMatch: Forbidden: resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"{resourceVersion}\"");
        }

        return operations.Store.List(resource, filter, at, after, limit);
    }

    private async Task WatchAsync(HttpContext context, RequestTarget target, string? body, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var resource = target.Resource!;
        var filter = Filter(resource, target, query);
        var resourceVersion = query["resourceVersion"].ToString();
        var sendInitialEvents = ParseBool(query["sendInitialEvents"]) == true;
        long? from = sendInitialEvents || resourceVersion is "" or "0" ? null : ParseResourceVersion(resourceVersion);
        var timeoutSeconds = ParseInt(query["timeoutSeconds"], "timeoutSeconds");
        var subscription = operations.Store.Watch(resource, filter, from, ParseBool(query["allowWatchBookmarks"]) == true, sendInitialEvents);
        try
        {
            Record(context, target, 200, body);
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.Headers.CacheControl = "no-cache, private";

            // Headers go out now, chunked, before any event: the watch is established even while nothing happens.
            await response.StartAsync(cancellationToken);
            using var timeout = timeoutSeconds > 0
                ? new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds.Value), time)
                : new CancellationTokenSource();
            using var streaming = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await foreach (var item in subscription.Reader.ReadAllAsync(streaming.Token))
                {
                    if (subscription.IsDropped)
                    {
                        break;
                    }

                    await WriteEventAsync(response, item, streaming.Token);
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // timeoutSeconds elapsed: the stream ends cleanly, as the real server ends it.
            }
            catch (IOException)
            {
                // The client is gone.
            }
        }
        finally
        {
            operations.Store.Unsubscribe(subscription);
        }

        if (subscription.IsDropped && subscription.AbortConnection)
        {
            context.Abort();
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, WatchItem item, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonObjects.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", item.Type);
            writer.WritePropertyName("object");
            item.Object.WriteTo(writer);
            writer.WriteEndObject();
        }

        buffer.Write(NewLine);
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static ObjectFilter Filter(ResourceDefinition resource, RequestTarget target, IQueryCollection query)
    {
        var fieldSelector = query["fieldSelector"].ToString();
        if (target.Name is not null)
        {
            // A watch on an item path (deprecated, still served) is a watch of that one name.
            var byName = "metadata.name=" + target.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal);
            fieldSelector = fieldSelector.Length == 0 ? byName : fieldSelector + "," + byName;
        }

        return new ObjectFilter(target.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(fieldSelector, resource));
    }

    private static void WriteList(Utf8JsonWriter writer, ResourceDefinition resource, ListPage page)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", resource.ListKind);
        writer.WriteString("apiVersion", resource.ApiVersion);
        writer.WriteStartObject("metadata");
        writer.WriteString("resourceVersion", page.ResourceVersion.ToString(CultureInfo.InvariantCulture));
        if (page.ContinueAfter is not null)
        {
            writer.WriteString("continue", ContinueToken.Encode(page.ResourceVersion, page.ContinueAfter));
        }

        if (page.RemainingItemCount is long remaining)
        {
            writer.WriteNumber("remainingItemCount", remaining);
        }

        writer.WriteEndObject();
        writer.WriteStartArray("items");
        foreach (var item in page.Items)
        {
            JsonObjects.WriteListItem(writer, item.Json);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteDeleted(Utf8JsonWriter writer, ResourceDefinition resource, StoredObject deleted, StoredObject last)
    {
        if (resource.ReturnsObjectOnDelete)
        {
            last.Json.WriteTo(writer);
            return;
        }

        var details = new JsonObject { ["name"] = deleted.Name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        details["uid"] = deleted.Uid;
        StatusObjects.Success(details).WriteTo(writer);
    }

    private async Task RespondAsync(
        HttpContext context, RequestTarget? target, int statusCode, string? body, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonObjects.WriterOptions))
        {
            write(writer);
        }

        Record(context, target, statusCode, body);
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    private void Record(HttpContext context, RequestTarget? target, int statusCode, string? body)
    {
        var request = context.Request;
        log.Add(new RecordedRequest(
            time.GetUtcNow(),
            request.Method,
            target?.Verb ?? request.Method.ToLowerInvariant(),
            request.Path.Value ?? "/",
            request.QueryString.Value ?? string.Empty,
            target?.Resource?.Group,
            target?.Resource?.Plural,
            target?.Namespace,
            target?.Name,
            target?.Subresource,
            statusCode,
            body));
    }

    private static JsonNode ParseJson(string? body)
    {
        try
        {
            return JsonNode.Parse(body ?? string.Empty) ?? throw ApiException.BadRequest("the request body is null");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    private static JsonObject ParseObject(string? body, string? contentType)
    {
        var mediaType = MediaType(contentType);
        if (mediaType.Length > 0 && mediaType != "application/json" && mediaType != "*/*")
        {
            throw ApiException.UnsupportedMediaType(mediaType);
        }

        return ParseJson(body) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
    }

    private static PatchKind PatchKindOf(string? contentType) => MediaType(contentType) switch
    {
        "application/json-patch+json" => PatchKind.Json,
        "application/merge-patch+json" => PatchKind.Merge,
        "application/strategic-merge-patch+json" => PatchKind.StrategicMerge,
        var other => throw ApiException.UnsupportedMediaType(other),
    };

    private static string MediaType(string? contentType) =>
        (contentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();

    private static long ParseResourceVersion(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiException.BadRequest($"resourceVersion: Invalid value: \"{text}\": must be a non-negative integer");

    private static int? ParseInt(StringValues value, string name)
    {
        var text = value.ToString();
        if (text.Length == 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw ApiException.BadRequest($"{name}: Invalid value: \"{text}\": must be an integer");
    }

    /// <summary>Boolean query values as the real server (Go's strconv.ParseBool) reads them.</summary>
    private static bool? ParseBool(StringValues value) => value.ToString() switch
    {
        "" => null,
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        var other => throw ApiException.BadRequest($"invalid boolean value: \"{other}\""),
    };

    private static bool ParseDryRun(StringValues value) => value.ToString() switch
    {
        "" => false,
        "All" => true,
        var other => throw ApiException.BadRequest($"dryRun: Unsupported value: \"{other}\": supported values: \"All\""),
    };
}
