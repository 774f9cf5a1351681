namespace OpenGrid.Core.Content;

/// <summary>
/// An IPFS CIDv1 (sha2-256), multibase base32 lower-case (<c>bafk…</c> for raw leaves, <c>bafy…</c> for dag-pb).
/// PLACEHOLDER SHELL: the public surface is fixed; the content-store work replaces the body.
/// </summary>
public readonly record struct Cid
{
    private readonly string _text;

    private Cid(string text) => _text = text;

    public static bool TryParse(string? text, out Cid cid)
    {
        cid = default;
        if (string.IsNullOrEmpty(text) || text.Length < 10 || text.Length > 100 || text[0] != 'b')
            return false;
        cid = new Cid(text);
        return true;
    }

    public static Cid Parse(string text) =>
        TryParse(text, out var c) ? c : throw new FormatException($"'{text}' is not a CIDv1 in base32");

    public override string ToString() => _text ?? "";
}
