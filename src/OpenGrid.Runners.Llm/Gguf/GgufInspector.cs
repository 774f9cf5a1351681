using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace OpenGrid.Runners.Llm.Gguf;

/// <summary>Bounds on an untrusted GGUF file, checked before llama.cpp sees it.</summary>
/// <param name="MaxFileBytes">Largest model file accepted. Default 64 GiB.</param>
/// <param name="MaxTensors">Most tensors. Default 65,536 (a 70B model has under 1,000).</param>
/// <param name="MaxMetadataEntries">Most metadata key/value pairs. Default 65,536.</param>
/// <param name="MaxArrayElements">Most elements in one metadata array. Default 16 Mi (vocabularies have
/// under 300k tokens).</param>
public sealed record GgufLimits(
    long MaxFileBytes = 64L << 30,
    long MaxTensors = 65_536,
    long MaxMetadataEntries = 65_536,
    long MaxArrayElements = 16L << 20);

/// <summary>What a valid GGUF file declares.</summary>
/// <param name="Metadata">Scalar metadata values (numbers, booleans, strings); arrays are left out.</param>
/// <param name="TensorDataBytes">Sum of the tensors' sizes in bytes.</param>
public sealed record GgufModelInfo(
    uint Version,
    string Architecture,
    long FileBytes,
    long TensorCount,
    long TensorDataBytes,
    IReadOnlyDictionary<string, object> Metadata)
{
    /// <summary>The training context length (<c>ARCH.context_length</c>), or null when the file has none.</summary>
    public long? ContextLength =>
        Metadata.TryGetValue(Architecture + ".context_length", out var value) && value is IConvertible number
            ? Convert.ToInt64(number, CultureInfo.InvariantCulture)
            : null;
}

/// <summary>The outcome of <see cref="GgufInspector.Inspect(string, GgufLimits)"/>: the model, or why it is
/// refused (one sentence, no file name).</summary>
public sealed record GgufInspection(GgufModelInfo? Model, string? Error)
{
    public bool IsValid => Model is not null;
}

/// <summary>
/// Reads a GGUF file's header, metadata and tensor table the way llama.cpp will, and refuses what it would choke on
/// or what points outside the file: bad magic, unknown version, counts past <see cref="GgufLimits"/>, lengths past
/// the end of the file, duplicate keys or tensor names, unknown tensor types, shapes that overflow, and tensor data
/// that is misaligned or runs past the end of the file. Nothing is allocated from a declared length before it is
/// checked against the bytes that remain.
/// </summary>
public static class GgufInspector
{
    private const int HeaderBytes = 24;
    private const int MaxKeyBytes = 64 * 1024;
    private const int KeptStringBytes = 4 * 1024;

    public static GgufInspection Inspect(string path, GgufLimits limits)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Inspect(file, limits);
    }

    /// <summary>Inspects a seekable stream positioned at the start of the file.</summary>
    public static GgufInspection Inspect(Stream file, GgufLimits limits)
    {
        try
        {
            return new GgufInspection(Read(new Cursor(file), limits), null);
        }
        catch (GgufFormatException e)
        {
            return new GgufInspection(null, e.Message);
        }
        catch (OverflowException)
        {
            return new GgufInspection(null, "a tensor's shape or size overflows 64-bit arithmetic");
        }
    }

    private static GgufModelInfo Read(Cursor cursor, GgufLimits limits)
    {
        var length = cursor.Length;
        if (length > limits.MaxFileBytes)
            throw new GgufFormatException($"the file is {length} bytes, more than the limit of {limits.MaxFileBytes}");
        if (length < HeaderBytes)
            throw new GgufFormatException($"the file is truncated: {length} bytes, a GGUF header alone takes {HeaderBytes}");

        var magic = cursor.U32();
        if (magic != GgufFormat.Magic)
            throw new GgufFormatException($"bad magic 0x{magic:x8} (a GGUF file starts with the bytes 'GGUF')");
        var version = cursor.U32();
        if (version is not (2 or 3))
            throw new GgufFormatException($"GGUF version {version} is not supported (2 and 3 are)");

        var tensorCount = Count(cursor.U64(), limits.MaxTensors, "tensors");
        var entryCount = Count(cursor.U64(), limits.MaxMetadataEntries, "metadata entries");

        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < entryCount; i++)
        {
            var key = cursor.String(MaxKeyBytes, "metadata key");
            if (key.Length == 0)
                throw new GgufFormatException($"metadata entry {i} has an empty key");
            if (!keys.Add(key))
                throw new GgufFormatException($"metadata key '{key}' appears twice");
            var type = ValueType(cursor.U32($"type of '{key}'"), key);
            if (ReadValue(cursor, type, key, limits) is { } value)
                metadata[key] = value;
        }

        var architecture = metadata.GetValueOrDefault(GgufFormat.ArchitectureKey) as string;
        if (string.IsNullOrEmpty(architecture))
            throw new GgufFormatException($"the string '{GgufFormat.ArchitectureKey}' is missing");
        var alignment = Alignment(metadata);

        var tensors = new List<(string Name, long Offset, long Bytes)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            var tensor = ReadTensorInfo(cursor, i, alignment);
            if (!names.Add(tensor.Name))
                throw new GgufFormatException($"tensor name '{tensor.Name}' appears twice");
            tensors.Add(tensor);
        }

        var dataStart = checked(Align(cursor.Position, alignment));
        long total = 0;
        foreach (var (name, offset, bytes) in tensors)
        {
            var end = checked(dataStart + offset + bytes);
            if (end > length)
            {
                throw new GgufFormatException(
                    $"tensor '{name}' ends at byte {end}, past the end of the file ({length} bytes): the file is truncated or corrupt");
            }

            total = checked(total + bytes);
        }

        return new GgufModelInfo(version, architecture, length, tensorCount, total, metadata);
    }

    private static (string Name, long Offset, long Bytes) ReadTensorInfo(Cursor cursor, long index, uint alignment)
    {
        var name = cursor.String(GgufFormat.MaxTensorNameBytes - 1, "tensor name");
        if (name.Length == 0)
            throw new GgufFormatException($"tensor {index} has an empty name");
        var what = $"info of tensor '{name}'";
        var dimensions = cursor.U32(what);
        if (dimensions is 0 or > GgufFormat.MaxDimensions)
            throw new GgufFormatException($"tensor '{name}' has {dimensions} dimensions (1 to {GgufFormat.MaxDimensions} allowed)");

        long elements = 1;
        long first = 0;
        for (var d = 0; d < dimensions; d++)
        {
            var size = cursor.U64(what);
            if (size is 0 or > long.MaxValue)
                throw new GgufFormatException($"tensor '{name}' has a dimension of {size}");
            if (d == 0)
                first = (long)size;
            elements = checked(elements * (long)size);
        }

        var type = cursor.U32(what);
        if (!GgmlTypes.TryGet(type, out var typeName, out var blockElements, out var blockBytes))
            throw new GgufFormatException($"tensor '{name}' has unknown type {type}");
        if (first % blockElements != 0)
        {
            throw new GgufFormatException(
                $"tensor '{name}' has rows of {first} elements, not a multiple of the {typeName} block size {blockElements}");
        }

        var offset = cursor.U64(what);
        if (offset > long.MaxValue || offset % alignment != 0)
            throw new GgufFormatException($"tensor '{name}' has data offset {offset}, not a multiple of the alignment {alignment}");
        return (name, (long)offset, checked(elements / blockElements * blockBytes));
    }

    /// <summary>Reads one value; returns it when it is a scalar worth keeping, null otherwise (arrays, long strings).</summary>
    private static object? ReadValue(Cursor cursor, GgufValueType type, string key, GgufLimits limits)
    {
        switch (type)
        {
            case GgufValueType.String:
                return cursor.StringOrSkip(KeptStringBytes, $"value of '{key}'");
            case GgufValueType.Array:
                var elementType = ValueType(cursor.U32($"array '{key}'"), key);
                if (elementType == GgufValueType.Array)
                    throw new GgufFormatException($"metadata '{key}' is an array of arrays, which GGUF readers refuse");
                var count = Count(cursor.U64($"array '{key}'"), limits.MaxArrayElements, $"elements in '{key}'");
                if (elementType == GgufValueType.String)
                {
                    for (long i = 0; i < count; i++)
                        cursor.StringOrSkip(0, $"element {i} of '{key}'");
                }
                else
                {
                    cursor.Skip(checked(count * ScalarBytes(elementType)), $"array '{key}'");
                }

                return null;
            default:
                return cursor.Scalar(type, key);
        }
    }

    private static uint Alignment(Dictionary<string, object> metadata)
    {
        if (!metadata.TryGetValue(GgufFormat.AlignmentKey, out var value))
            return GgufFormat.DefaultAlignment;
        if (value is uint alignment && BitOperations.IsPow2(alignment))
            return alignment;
        throw new GgufFormatException($"'{GgufFormat.AlignmentKey}' must be a power of two stored as uint32, not {value}");
    }

    private static GgufValueType ValueType(uint raw, string key) =>
        Enum.IsDefined((GgufValueType)raw)
            ? (GgufValueType)raw
            : throw new GgufFormatException($"metadata '{key}' has unknown value type {raw}");

    internal static int ScalarBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a fixed-size type"),
    };

    private static long Count(ulong declared, long limit, string what) =>
        declared <= (ulong)limit
            ? (long)declared
            : throw new GgufFormatException($"the file declares {declared} {what}, more than the limit of {limit}");

    private static long Align(long position, uint alignment) => (position + alignment - 1) / alignment * alignment;

    /// <summary>Sequential little-endian reads that never go past the end of the file.</summary>
    private sealed class Cursor(Stream stream)
    {
        private readonly Stream stream = new BufferedStream(stream, 64 * 1024);
        private readonly byte[] scratch = new byte[8];

        public long Length { get; } = stream.Length;

        public long Position { get; private set; }

        public uint U32(string what = "header") => BinaryPrimitives.ReadUInt32LittleEndian(Fill(4, what));

        public ulong U64(string what = "header") => BinaryPrimitives.ReadUInt64LittleEndian(Fill(8, what));

        public object Scalar(GgufValueType type, string key)
        {
            var bytes = Fill(ScalarBytes(type), $"value of '{key}'");
            return type switch
            {
                GgufValueType.UInt8 => bytes[0],
                GgufValueType.Int8 => (sbyte)bytes[0],
                GgufValueType.Bool => bytes[0] != 0,
                GgufValueType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                GgufValueType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
                GgufValueType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                GgufValueType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
                GgufValueType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                GgufValueType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                GgufValueType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
                _ => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
            };
        }

        /// <summary>Reads a length-prefixed UTF-8 string of at most <paramref name="maxBytes"/>.</summary>
        public string String(int maxBytes, string what)
        {
            var declared = U64(what);
            if (declared > (ulong)maxBytes)
                throw new GgufFormatException($"the {what} is {declared} bytes long, more than {maxBytes}");
            return Text((long)declared, what);
        }

        /// <summary>Reads a length-prefixed string when it is at most <paramref name="keep"/> bytes long; skips it
        /// and returns null otherwise.</summary>
        public string? StringOrSkip(int keep, string what)
        {
            var declared = U64(what);
            if (declared <= (ulong)keep)
                return Text((long)declared, what);
            Skip(declared > long.MaxValue ? long.MaxValue : (long)declared, what);
            return null;
        }

        private string Text(long size, string what)
        {
            Ensure(size, what);
            var bytes = new byte[size];
            stream.ReadExactly(bytes);
            Position += size;
            return Encoding.UTF8.GetString(bytes);
        }

        public void Skip(long size, string what)
        {
            Ensure(size, what);
            stream.Seek(size, SeekOrigin.Current);
            Position += size;
        }

        private ReadOnlySpan<byte> Fill(int size, string what)
        {
            Ensure(size, what);
            stream.ReadExactly(scratch, 0, size);
            Position += size;
            return scratch.AsSpan(0, size);
        }

        private void Ensure(long size, string what)
        {
            if (size > Length - Position)
            {
                throw new GgufFormatException(
                    $"the file is truncated: the {what} at byte {Position} needs {size} bytes, {Length - Position} remain");
            }
        }
    }

    private sealed class GgufFormatException(string message) : Exception(message);
}
