namespace OpenGrid.Core.Content;

/// <summary>
/// The few protobuf writes that dag-pb and UnixFS need (varint and length-delimited fields), into a reusable
/// growable buffer. Fields are written in the order called: canonical dag-pb depends on that order.
/// </summary>
internal sealed class ProtobufWriter(int initialCapacity = 1024)
{
    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;

    private byte[] _buffer = new byte[initialCapacity];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public void WriteVarintField(int field, ulong value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(value);
    }

    public void WriteBytesField(int field, ReadOnlySpan<byte> value)
    {
        WriteLengthDelimitedHeader(field, value.Length);
        WriteRaw(value);
    }

    /// <summary>Starts a length-delimited field whose <paramref name="length"/> bytes the caller writes next.</summary>
    public void WriteLengthDelimitedHeader(int field, int length)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)length);
    }

    public static int TagSize(int field) => Varint.SizeOf((ulong)field << 3);

    public static int VarintFieldSize(int field, ulong value) => TagSize(field) + Varint.SizeOf(value);

    public static int BytesFieldSize(int field, int length) => TagSize(field) + Varint.SizeOf((ulong)length) + length;

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        EnsureCapacity(Varint.MaxLength);
        _length += Varint.Write(value, _buffer.AsSpan(_length));
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length)
            return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
    }
}
