using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OpenGrid.Core.Content;

/// <summary>
/// An IPFS CIDv1 with a sha2-256 multihash, <c>0x01 ‖ varint(codec) ‖ 0x12 0x20 ‖ digest</c>, written in multibase
/// base32 lower-case (prefix <c>b</c>): <c>bafk…</c> for a raw block, <c>bafy…</c> for a dag-pb node. No other
/// version, codec, hash or base is accepted. <c>default(Cid)</c> means "none" and prints as an empty string.
/// </summary>
public readonly record struct Cid
{
    /// <summary>Multicodec <c>raw</c>: the block is the bytes themselves.</summary>
    public const ulong RawCodec = 0x55;

    /// <summary>Multicodec <c>dag-pb</c>: the block is a protobuf PBNode (UnixFS parent nodes).</summary>
    public const ulong DagPbCodec = 0x70;

    /// <summary>Length in bytes of a sha2-256 digest.</summary>
    public const int DigestLength = 32;

    private const byte Version1 = 0x01;
    private const byte Sha256Code = 0x12;
    private const char MultibaseBase32Lower = 'b';

    // The accepted forms are 59 characters; anything much longer is refused before decoding.
    private const int MaxTextLength = 64;
    private const int MaxBinaryLength = MaxTextLength * 5 / 8;

    private readonly byte[]? _digest;
    private readonly string? _text;

    private Cid(ulong codec, byte[] digest, string? text = null)
    {
        Codec = codec;
        _digest = digest;
        _text = text ?? Base32.Encode(Encode(codec, digest), MultibaseBase32Lower);
    }

    /// <summary>The content type of the block: <see cref="RawCodec"/> or <see cref="DagPbCodec"/>; 0 for default.</summary>
    public ulong Codec { get; }

    /// <summary>The 32-byte sha2-256 digest of the block; empty for default.</summary>
    public ReadOnlyMemory<byte> Digest => _digest;

    /// <summary>The CID of a raw block: sha2-256 of <paramref name="block"/>, codec raw (<c>bafk…</c>).</summary>
    public static Cid ForRawBlock(ReadOnlySpan<byte> block) => FromDigest(RawCodec, SHA256.HashData(block));

    /// <summary>Builds a CID from a codec (raw or dag-pb) and a sha2-256 digest.</summary>
    public static Cid FromDigest(ulong codec, ReadOnlySpan<byte> sha256)
    {
        if (codec is not (RawCodec or DagPbCodec))
            throw new ArgumentOutOfRangeException(nameof(codec), codec, "Only raw (0x55) and dag-pb (0x70) are supported.");
        if (sha256.Length != DigestLength)
            throw new ArgumentException($"A sha2-256 digest is {DigestLength} bytes, not {sha256.Length}.", nameof(sha256));
        return new Cid(codec, sha256.ToArray());
    }

    /// <summary>Parses the text form. Safe on untrusted input: false for anything but a base32 sha2-256 CIDv1.</summary>
    public static bool TryParse(string? text, out Cid cid)
    {
        cid = default;
        if (string.IsNullOrEmpty(text) || text.Length > MaxTextLength || text[0] != MultibaseBase32Lower)
            return false;
        Span<byte> bytes = stackalloc byte[MaxBinaryLength];
        if (!Base32.TryDecode(text.AsSpan(1), bytes, out var length))
            return false;
        if (!TryDecode(bytes[..length], out var codec, out var digest))
            return false;
        // Strict base32 decoding makes the text canonical, so it can be kept as is.
        cid = new Cid(codec, digest, text);
        return true;
    }

    public static Cid Parse(string text) =>
        TryParse(text, out var c) ? c : throw new FormatException($"'{text}' is not a CIDv1 in base32");

    /// <summary>Reads the binary form (as in a dag-pb link); false for anything <see cref="ToBytes"/> cannot produce.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Cid cid)
    {
        cid = default;
        if (!TryDecode(bytes, out var codec, out var digest))
            return false;
        cid = new Cid(codec, digest);
        return true;
    }

    /// <summary>The binary form: <c>0x01 ‖ varint(codec) ‖ 0x12 0x20 ‖ digest</c>; empty for default.</summary>
    public byte[] ToBytes() => _digest is null ? [] : Encode(Codec, _digest);

    public bool Equals(Cid other) =>
        Codec == other.Codec && Digest.Span.SequenceEqual(other.Digest.Span);

    public override int GetHashCode() =>
        _digest is null ? 0 : HashCode.Combine(Codec, BinaryPrimitives.ReadInt64LittleEndian(_digest));

    public override string ToString() => _text ?? "";

    private static byte[] Encode(ulong codec, ReadOnlySpan<byte> digest)
    {
        var bytes = new byte[1 + Varint.SizeOf(codec) + 2 + digest.Length];
        bytes[0] = Version1;
        var pos = 1 + Varint.Write(codec, bytes.AsSpan(1));
        bytes[pos++] = Sha256Code;
        bytes[pos++] = DigestLength;
        digest.CopyTo(bytes.AsSpan(pos));
        return bytes;
    }

    private static bool TryDecode(ReadOnlySpan<byte> bytes, out ulong codec, out byte[] digest)
    {
        codec = 0;
        digest = [];
        if (!Varint.TryRead(bytes, out var version, out var n) || version != Version1)
            return false;
        bytes = bytes[n..];
        if (!Varint.TryRead(bytes, out codec, out n) || codec is not (RawCodec or DagPbCodec))
            return false;
        bytes = bytes[n..];
        if (!Varint.TryRead(bytes, out var hashCode, out n) || hashCode != Sha256Code)
            return false;
        bytes = bytes[n..];
        if (!Varint.TryRead(bytes, out var hashLength, out n) || hashLength != DigestLength)
            return false;
        bytes = bytes[n..];
        if (bytes.Length != DigestLength)
            return false;
        digest = bytes.ToArray();
        return true;
    }
}
