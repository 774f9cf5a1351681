using System.Text;

namespace OpenGrid.Runners.Llm.Gguf;

/// <summary>
/// Writes a GGUF v3 file: metadata key/values, then F32 tensors, aligned to <see cref="GgufFormat.DefaultAlignment"/>.
/// Shapes are in ggml order: the first dimension is the contiguous one (a <c>[n_embd, n_vocab]</c> embedding holds
/// <c>n_vocab</c> rows of <c>n_embd</c> floats). Keys and tensor names must be unique.
/// </summary>
public sealed class GgufWriter
{
    private readonly List<(string Key, GgufValueType Type, Action<BinaryWriter> Write)> metadata = [];
    private readonly List<(string Name, long[] Shape, float[] Data)> tensors = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    public GgufWriter Add(string key, string value) => Entry(key, GgufValueType.String, w => WriteString(w, value));

    public GgufWriter Add(string key, uint value) => Entry(key, GgufValueType.UInt32, w => w.Write(value));

    public GgufWriter Add(string key, int value) => Entry(key, GgufValueType.Int32, w => w.Write(value));

    public GgufWriter Add(string key, float value) => Entry(key, GgufValueType.Float32, w => w.Write(value));

    public GgufWriter Add(string key, bool value) => Entry(key, GgufValueType.Bool, w => w.Write(value));

    public GgufWriter Add(string key, IReadOnlyList<string> values) =>
        Array(key, GgufValueType.String, values, WriteString);

    public GgufWriter Add(string key, IReadOnlyList<float> values) =>
        Array(key, GgufValueType.Float32, values, (w, v) => w.Write(v));

    public GgufWriter Add(string key, IReadOnlyList<int> values) =>
        Array(key, GgufValueType.Int32, values, (w, v) => w.Write(v));

    /// <summary>Adds an F32 tensor; <paramref name="data"/> holds the product of <paramref name="shape"/> floats.</summary>
    public GgufWriter AddTensor(string name, IReadOnlyList<long> shape, float[] data)
    {
        if (Encoding.UTF8.GetByteCount(name) is 0 or >= GgufFormat.MaxTensorNameBytes)
            throw new ArgumentException($"tensor name '{name}' must be 1 to {GgufFormat.MaxTensorNameBytes - 1} bytes", nameof(name));
        if (shape.Count is 0 or > GgufFormat.MaxDimensions || shape.Any(d => d <= 0))
            throw new ArgumentException($"tensor '{name}' needs 1 to {GgufFormat.MaxDimensions} positive dimensions", nameof(shape));
        if (shape.Aggregate(1L, (a, d) => checked(a * d)) != data.Length)
            throw new ArgumentException($"tensor '{name}' has shape [{string.Join(", ", shape)}] but {data.Length} values", nameof(data));
        if (!names.Add("tensor:" + name))
            throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        tensors.Add((name, [.. shape], data));
        return this;
    }

    public void WriteTo(string path)
    {
        using var file = File.Create(path);
        WriteTo(file);
    }

    public void WriteTo(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(GgufFormat.Magic);
        w.Write(GgufFormat.Version);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)metadata.Count);
        foreach (var (key, type, write) in metadata)
        {
            WriteString(w, key);
            w.Write((uint)type);
            write(w);
        }

        long offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            WriteString(w, name);
            w.Write((uint)shape.Length);
            foreach (var dimension in shape)
                w.Write((ulong)dimension);
            w.Write(GgmlTypes.F32);
            w.Write((ulong)offset);
            offset = Align(offset + (long)data.Length * sizeof(float));
        }

        Pad(w);
        foreach (var (_, _, data) in tensors)
        {
            foreach (var value in data)
                w.Write(value);
            Pad(w);
        }
    }

    private GgufWriter Entry(string key, GgufValueType type, Action<BinaryWriter> write)
    {
        if (string.IsNullOrEmpty(key) || !names.Add("key:" + key))
            throw new ArgumentException($"metadata key '{key}' is empty or was already added", nameof(key));
        metadata.Add((key, type, write));
        return this;
    }

    private GgufWriter Array<T>(string key, GgufValueType elementType, IReadOnlyList<T> values, Action<BinaryWriter, T> write) =>
        Entry(key, GgufValueType.Array, w =>
        {
            w.Write((uint)elementType);
            w.Write((ulong)values.Count);
            foreach (var value in values)
                write(w, value);
        });

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static long Align(long position) =>
        (position + GgufFormat.DefaultAlignment - 1) / GgufFormat.DefaultAlignment * GgufFormat.DefaultAlignment;

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        var position = w.BaseStream.Position;
        for (var i = position; i < Align(position); i++)
            w.Write((byte)0);
    }
}
