using System.Text.Json;
using Portico.TestApiServer.Resources;

namespace Portico.TestApiServer.Api;

/// <summary>
/// Validation rules a test adds at run time (like a validating webhook): a rule that returns a message turns a
/// create, update or patch of that resource into a 422 Invalid. Writes through the test-side API bypass them.
/// </summary>
internal sealed class AdmissionHooks
{
    private readonly Lock gate = new();
    private readonly List<(ResourceDefinition Resource, Func<JsonElement, string?> Rule)> rules = [];

    public IDisposable Add(ResourceDefinition resource, Func<JsonElement, string?> rule)
    {
        var entry = (resource, rule);
        lock (gate)
        {
            rules.Add(entry);
        }

        return new Removal(() =>
        {
            lock (gate)
            {
                rules.Remove(entry);
            }
        });
    }

    /// <summary>The messages of every rule that rejects <paramref name="obj"/>.</summary>
    public IReadOnlyList<string> Check(ResourceDefinition resource, JsonElement obj)
    {
        List<Func<JsonElement, string?>> applicable;
        lock (gate)
        {
            applicable = rules.Where(r => r.Resource == resource).Select(r => r.Rule).ToList();
        }

        return applicable.Select(rule => rule(obj)).OfType<string>().ToList();
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        private Action? remove = remove;

        public void Dispose() => Interlocked.Exchange(ref remove, null)?.Invoke();
    }
}
