namespace Portico.Core.Rendering;

/// <summary>A template that does not parse or fails while rendering (for instance an escaping helper refused a value).</summary>
public sealed class TemplateException : Exception
{
    public TemplateException()
    {
    }

    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
