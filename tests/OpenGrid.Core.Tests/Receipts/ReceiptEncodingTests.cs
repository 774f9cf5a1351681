using System.Text;
using System.Text.Json.Nodes;
using Nethereum.ABI.EIP712;
using Nethereum.Util;
using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Core.Tests.Receipts;

/// <summary>
/// The receipt hashes against an independent EIP-712 implementation (Nethereum's typed-data encoder fed
/// eth_signTypedData_v4 JSON), so another client using any EIP-712 library computes the same values.
/// </summary>
public sealed class ReceiptEncodingTests : IDisposable
{
    private static readonly Cid CidA = Cid.ForRawBlock("a"u8);
    private static readonly Cid CidB = Cid.ForRawBlock("b"u8);
    private readonly TempDir _dir = new("og-receipt-encoding");

    [Theory]
    [InlineData(1)] // exit code -1, zero previous hash
    [InlineData(3)]
    public void The_digest_is_the_EIP712_v4_hash_of_the_receipt_as_typed_data(int attempt)
    {
        var receipt = ProofPackScenario.Create(_dir.Path).Receipt(attempt);

        foreach (var domain in new[] { ProofPackScenario.Domain, ReceiptDomain.Offline })
            Assert.Equal(Oracle(ReceiptTypedData(receipt, domain)), ReceiptSigning.Digest(receipt, domain).ToArray());
    }

    [Fact]
    public void Inputs_outputs_and_runtime_hash_as_EIP712_arrays_and_structs_in_canonical_order()
    {
        var runtime = new ProcessRuntime(["sh", "-c"], ["echo hi"], new Dictionary<string, string> { ["Z"] = "1", ["A"] = "2" });
        ReceiptInput[] inputs = [new("z.txt", CidB), new("a.txt", CidA)];
        ReceiptOutput[] outputs = [new("out/b", CidB, 1), new("out/a", CidA, 1)];
        var lists = Encoding.UTF8.GetBytes(ListsType);
        var expected = Keccak([.. Keccak(lists), .. ReceiptEncoding.InputsHash(inputs).ToArray(),
            .. ReceiptEncoding.OutputsHash(outputs).ToArray(), .. ReceiptEncoding.RuntimeDigest(runtime).ToArray()]);

        var typedData = new JsonObject
        {
            ["types"] = new JsonObject
            {
                ["EIP712Domain"] = DomainFields(),
                ["Lists"] = Fields(("inputs", "Input[]"), ("outputs", "Output[]"), ("runtime", "Runtime")),
                ["Input"] = Fields(("path", "string"), ("cid", "string")),
                ["Output"] = Fields(("path", "string"), ("cid", "string"), ("size", "uint64")),
                ["Runtime"] = Fields(("kind", "string"), ("command", "string[]"), ("args", "string[]"), ("env", "EnvVar[]")),
                ["EnvVar"] = Fields(("name", "string"), ("value", "string")),
            },
            ["primaryType"] = "Lists",
            ["domain"] = DomainValue(ReceiptDomain.Offline),
            ["message"] = new JsonObject
            {
                ["inputs"] = new JsonArray(Pair("path", "a.txt", "cid", CidA.ToString()), Pair("path", "z.txt", "cid", CidB.ToString())),
                ["outputs"] = new JsonArray(
                    new JsonObject { ["path"] = "out/a", ["cid"] = CidA.ToString(), ["size"] = 1 },
                    new JsonObject { ["path"] = "out/b", ["cid"] = CidB.ToString(), ["size"] = 1 }),
                ["runtime"] = new JsonObject
                {
                    ["kind"] = "process", ["command"] = new JsonArray("sh", "-c"), ["args"] = new JsonArray("echo hi"),
                    ["env"] = new JsonArray(Pair("name", "A", "value", "2"), Pair("name", "Z", "value", "1")),
                },
            },
        };

        Assert.Equal(Digest(ReceiptDomain.Offline, expected), Oracle(typedData));
    }

    [Fact]
    public void List_order_does_not_change_a_hash_and_sorting_is_by_UTF8_bytes()
    {
        // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16 code units (D83D DE00).
        ReceiptInput[] utf8Order = [new("\uFF5E", CidB), new("\U0001F600", CidA)];
        ReceiptInput[] utf16Order = [utf8Order[1], utf8Order[0]];

        Assert.Equal(
            Keccak([.. InputStructHash(utf8Order[0]), .. InputStructHash(utf8Order[1])]),
            ReceiptEncoding.InputsHash(utf16Order).ToArray());
    }

    [Fact]
    public void A_repeated_path_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ReceiptEncoding.InputsHash([new("a", CidA), new("a", CidB)]));
        Assert.Equal("The input path 'a' appears twice.", e.Message);
    }

    [Fact]
    public void An_empty_list_hashes_to_the_keccak_of_no_bytes()
    {
        Assert.Equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", ReceiptEncoding.OutputsHash([]).ToString());
    }

    [Fact]
    public void The_spec_hash_covers_the_text_byte_for_byte()
    {
        Assert.Equal(Keccak(Encoding.UTF8.GetBytes("name: x\n")), ReceiptEncoding.SpecHash("name: x\n").ToArray());
        Assert.NotEqual(ReceiptEncoding.SpecHash("name: x\n"), ReceiptEncoding.SpecHash("name: x"));
    }

    [Fact]
    public void The_runtime_digest_ignores_env_order_but_not_argv()
    {
        var env1 = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" };
        var env2 = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" };

        Assert.Equal(ReceiptEncoding.RuntimeDigest(new(["sh"], ["x"], env1)), ReceiptEncoding.RuntimeDigest(new(["sh"], ["x"], env2)));
        // Moving an argument from command to args is a different runtime, though argv is the same.
        Assert.NotEqual(ReceiptEncoding.RuntimeDigest(new(["sh", "x"], [], env1)), ReceiptEncoding.RuntimeDigest(new(["sh"], ["x"], env1)));
    }

    private const string ListsType =
        "Lists(Input[] inputs,Output[] outputs,Runtime runtime)EnvVar(string name,string value)Input(string path,string cid)" +
        "Output(string path,string cid,uint64 size)Runtime(string kind,string[] command,string[] args,EnvVar[] env)";

    private static byte[] InputStructHash(ReceiptInput input) =>
        Keccak([.. Keccak(Encoding.UTF8.GetBytes(ReceiptEncoding.InputType)), .. Keccak(Encoding.UTF8.GetBytes(input.Path)),
            .. Keccak(Encoding.UTF8.GetBytes(input.Cid.ToString()))]);

    private static JsonObject ReceiptTypedData(Receipt r, ReceiptDomain domain) => new()
    {
        ["types"] = new JsonObject
        {
            ["EIP712Domain"] = DomainFields(),
            ["Receipt"] = Fields(("jobId", "string"), ("attempt", "uint32"), ("epoch", "uint64"), ("specHash", "bytes32"),
                ("runtimeDigest", "bytes32"), ("inputsHash", "bytes32"), ("outputsHash", "bytes32"), ("wallMs", "uint64"),
                ("cpuMs", "uint64"), ("gpuMs", "uint64"), ("peakMemoryBytes", "uint64"), ("exitCode", "int32"),
                ("timestamp", "uint64"), ("provider", "address"), ("prevReceiptHash", "bytes32")),
        },
        ["primaryType"] = "Receipt",
        ["domain"] = DomainValue(domain),
        ["message"] = new JsonObject
        {
            ["jobId"] = r.JobId, ["attempt"] = r.Attempt, ["epoch"] = r.Epoch, ["specHash"] = r.SpecHash.ToString(),
            ["runtimeDigest"] = r.RuntimeDigest.ToString(), ["inputsHash"] = r.InputsHash.ToString(),
            ["outputsHash"] = r.OutputsHash.ToString(), ["wallMs"] = r.Usage.WallMs, ["cpuMs"] = r.Usage.CpuMs,
            ["gpuMs"] = r.Usage.GpuMs, ["peakMemoryBytes"] = r.Usage.PeakMemoryBytes, ["exitCode"] = r.ExitCode,
            ["timestamp"] = r.Timestamp, ["provider"] = r.Provider.Value, ["prevReceiptHash"] = r.PrevReceiptHash.ToString(),
        },
    };

    private static JsonArray DomainFields() =>
        Fields(("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"));

    private static JsonObject DomainValue(ReceiptDomain domain) => new()
    {
        ["name"] = ReceiptDomain.Name, ["version"] = ReceiptDomain.Version, ["chainId"] = domain.ChainId,
        ["verifyingContract"] = domain.VerifyingContract.Value,
    };

    private static JsonArray Fields(params (string Name, string Type)[] fields) =>
        new([.. fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type })]);

    private static JsonObject Pair(string k1, string v1, string k2, string v2) => new() { [k1] = v1, [k2] = v2 };

    private static byte[] Oracle(JsonObject typedData) =>
        Eip712TypedDataEncoder.Current.EncodeAndHashTypedData(typedData.ToJsonString());

    private static byte[] Digest(ReceiptDomain domain, byte[] structHash) =>
        Keccak([0x19, 0x01, .. domain.Separator().ToArray(), .. structHash]);

    private static byte[] Keccak(byte[] data) => Sha3Keccack.Current.CalculateHash(data);

    public void Dispose() => _dir.Dispose();
}
