using System.Text;
using OpenGrid.Core.Specs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// The canonical encodings behind a receipt's hashes, so that provider, coordinator, <c>og verify</c> and any other
/// client compute the same values. Each is an EIP-712 value, computable with any EIP-712 library:
/// <list type="bullet">
/// <item><c>specHash</c> = keccak256(UTF-8 bytes of the spec text exactly as the provider received it: the provider
/// view, <c>ProviderSpec</c>).</item>
/// <item><c>inputsHash</c> = encodeData of an <c>Input[]</c> value, <c>Input(string path,string cid)</c>: keccak256 of
/// the concatenated <c>hashStruct(Input)</c> of every input, sorted by path.</item>
/// <item><c>outputsHash</c> = the same for <c>Output(string path,string cid,uint64 size)</c>.</item>
/// <item><c>runtimeDigest</c> = <c>hashStruct(Runtime)</c> with
/// <c>Runtime(string kind,string[] command,string[] args,EnvVar[] env)EnvVar(string name,string value)</c>,
/// env sorted by name.</item>
/// </list>
/// Paths and names are sorted by their UTF-8 bytes (ordinal); a path may appear once. CIDs are their text form
/// (<c>bafk…</c>, <c>bafy…</c>). An empty list hashes to keccak256 of no bytes.
/// </summary>
public static class ReceiptEncoding
{
    public const string InputType = "Input(string path,string cid)";
    public const string OutputType = "Output(string path,string cid,uint64 size)";
    public const string EnvVarType = "EnvVar(string name,string value)";
    public const string RuntimeType = "Runtime(string kind,string[] command,string[] args,EnvVar[] env)" + EnvVarType;

    /// <summary>The runtime kind of <see cref="ProcessRuntime"/>.</summary>
    public const string ProcessKind = "process";

    private static readonly byte[] InputTypeHash = Eip712Struct.TypeHash(InputType);
    private static readonly byte[] OutputTypeHash = Eip712Struct.TypeHash(OutputType);
    private static readonly byte[] EnvVarTypeHash = Eip712Struct.TypeHash(EnvVarType);
    private static readonly byte[] RuntimeTypeHash = Eip712Struct.TypeHash(RuntimeType);

    /// <summary>keccak256 of the UTF-8 bytes of <paramref name="specText"/>, unchanged (no trimming, no newline fixes).</summary>
    public static Bytes32 SpecHash(string specText) =>
        Bytes32.From(Eip712Struct.Keccak(Encoding.UTF8.GetBytes(specText)));

    /// <summary>hashStruct(Runtime) of a process runtime: kind <c>process</c>, command, args, env sorted by name.</summary>
    public static Bytes32 RuntimeDigest(ProcessRuntime runtime)
    {
        var env = Sorted(runtime.Env, e => e.Key, "environment variable").Select(e =>
            new Eip712Struct(EnvVarType).String(e.Key).String(e.Value).HashStruct());
        return Bytes32.From(new Eip712Struct(RuntimeType)
            .String(ProcessKind)
            .Hash(Eip712Struct.StringArrayHash(runtime.Command))
            .Hash(Eip712Struct.StringArrayHash(runtime.Args))
            .Hash(Eip712Struct.ArrayHash(env))
            .HashStruct());
    }

    /// <summary>encodeData of <c>Input[]</c>, inputs sorted by path. Throws on a repeated path.</summary>
    public static Bytes32 InputsHash(IEnumerable<ReceiptInput> inputs) =>
        Bytes32.From(Eip712Struct.ArrayHash(Sorted(inputs, i => i.Path, "input path").Select(i =>
            new Eip712Struct(InputType).String(i.Path).String(i.Cid.ToString()).HashStruct())));

    /// <summary>encodeData of <c>Output[]</c>, outputs sorted by path. Throws on a repeated path or a negative size.</summary>
    public static Bytes32 OutputsHash(IEnumerable<ReceiptOutput> outputs) =>
        Bytes32.From(Eip712Struct.ArrayHash(Sorted(outputs, o => o.Path, "output path").Select(o =>
            new Eip712Struct(OutputType).String(o.Path).String(o.Cid.ToString()).Uint(Unsigned(o.Size, "size")).HashStruct())));

    /// <summary>Orders by the UTF-8 bytes of the key (the order every client can reproduce) and refuses repeats.</summary>
    internal static List<T> Sorted<T>(IEnumerable<T> items, Func<T, string> key, string what)
    {
        var keyed = items.Select(item => (Key: Encoding.UTF8.GetBytes(key(item)), Item: item)).ToList();
        keyed.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        for (var i = 1; i < keyed.Count; i++)
        {
            if (keyed[i].Key.AsSpan().SequenceEqual(keyed[i - 1].Key))
                throw new ArgumentException($"The {what} '{key(keyed[i].Item)}' appears twice.");
        }
        return [.. keyed.Select(k => k.Item)];
    }

    /// <summary>A value that is uint64 on chain; negative is a caller's bug.</summary>
    internal static ulong Unsigned(long value, string name) =>
        value >= 0 ? (ulong)value : throw new ArgumentOutOfRangeException(name, value, $"{name} cannot be negative.");
}
