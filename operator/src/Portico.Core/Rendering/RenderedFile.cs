namespace Portico.Core.Rendering;

/// <summary>One output file: a relative path (no "..", derived from hashes or fixed names) and its bytes.</summary>
public sealed record RenderedFile(string Path, byte[] Content, bool IsPrivate)
{
    /// <summary>Private keys are written 0600; everything else 0644.</summary>
    public UnixFileMode Mode => IsPrivate
        ? UnixFileMode.UserRead | UnixFileMode.UserWrite
        : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public override string ToString() => $"{Path} ({Content.Length} bytes{(IsPrivate ? ", private" : string.Empty)})";
}
