namespace Portico.Core.Model;

/// <summary>
/// A path of an Ingress rule that Portico does not serve, kept so `portico explain` can say why a request did not
/// reach it: <see cref="Why"/> is "class" (the Ingress is another controller's) or "rejected" (the Ingress, or this
/// path's backend, was refused; the diagnostics say how). Conflicts are not here: the winner's route is in the model.
/// </summary>
public sealed record UnservedRule(HostPattern Host, PathMatch Match, ObjectRef Ingress, string Field, string Why, string Reason);
