namespace Portico.Core.Model;

/// <summary>One finding about one object: which object, which field, what is wrong. Becomes a log line, an Event, a CLI message.</summary>
public sealed record Diagnostic(Severity Severity, ObjectRef Target, string Field, string Message) : IComparable<Diagnostic>
{
    public int CompareTo(Diagnostic? other)
    {
        if (other is null)
        {
            return 1;
        }

        int byObject = Target.CompareTo(other.Target);
        if (byObject != 0)
        {
            return byObject;
        }

        int byField = string.CompareOrdinal(Field, other.Field);
        return byField != 0 ? byField : string.CompareOrdinal(Message, other.Message);
    }

    public override string ToString() =>
        $"{(Severity == Severity.Error ? "error" : "warning")}: {Target}: {Field}: {Message}";
}
