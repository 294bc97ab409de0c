namespace Portico.Core.Model.Policies;

/// <summary>One piece of a rewrite template: literal path text (<see cref="Group"/> 0), or the capture group 1 to 9 of the path's regular expression.</summary>
public sealed record RewriteSegment(string Literal, int Group)
{
    public static RewriteSegment Text(string literal) => new(literal, 0);

    public static RewriteSegment Capture(int group) => new(string.Empty, group);
}
