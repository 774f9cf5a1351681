using System.Text;
using System.Text.Json;
using Nethereum.Signer;
using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Testing;

/// <summary>
/// A real proof pack over real files, signed with keys generated per scenario. The job runs with two replicas,
/// quorum 2: provider A's attempt 1 timed out (no exit code, no outputs), provider B's attempt 2 and provider A's
/// attempt 3 both wrote the same two files (one small, one over a UnixFS chunk). A's attempt 3 follows its attempt 1 in
/// its hash chain. The receipts hash the provider view of the spec (<see cref="ProviderSpecText"/>), which the pack
/// carries. Payments are on (dev chain), with one open, release and close transaction.
/// Tests change one thing (<see cref="Resign"/>, <see cref="Tamper"/>, a file byte) and check what breaks.
/// </summary>
public sealed class ProofPackScenario
{
    public const string JobId = "0197a5c2e4b07d3f8a1b2c3d4e5f6a7b";
    public const string SmallOutput = "hello.txt";
    public const string LargeOutput = "sub/big.bin";
    public const string InputPath = "data.txt";

    public static readonly ReceiptDomain Domain = new(ReceiptDomain.DevChainId, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"));
    public static readonly Cid InputCid = Cid.ForRawBlock("input bytes"u8);

    public static string SpecText { get; } = $$"""
        apiVersion: opengrid/v1
        kind: Job
        name: greet
        runtime:
          kind: process
          command: [sh, -c, "cp data.txt /out/hello.txt"]
          env: { ZETA: "last", ALPHA: "first" }
        inputs:
          - { path: {{InputPath}}, cid: {{InputCid}} }
        outputs:
          - { path: ".", compare: exact }
        verify: { replicas: 2, quorum: 2 }
        """;

    /// <summary>The spec as the providers received and signed it.</summary>
    public static string ProviderSpecText { get; } = ProviderSpec.Of(JobSpecParser.Parse(SpecText, "job.yaml").Spec!);

    private readonly Dictionary<int, (ProofAttempt Attempt, EthECKey Key)> _attempts = [];

    private ProofPackScenario(string outputsDir) => OutputsDir = outputsDir;

    public string OutputsDir { get; }
    public EthECKey ProviderA { get; } = EthECKey.GenerateKey();
    public EthECKey ProviderB { get; } = EthECKey.GenerateKey();
    public IReadOnlyList<OutputFileView> Outputs { get; private set; } = [];
    public ProofVerdict Verdict { get; set; } = new(ProofVerdict.Accepted, [2, 3], ["hello.txt: exact, equal", "sub/big.bin: exact, equal"]);

    public IReadOnlyList<SettlementTxView> Settlements { get; set; } =
    [
        new("0x" + new string('a', 64), "open", "2000000"),
        new("0x" + new string('b', 64), "release", "1500000", 2),
        new("0x" + new string('c', 64), "close", "500000"),
    ];

    /// <summary>Writes the outputs under <paramref name="outputsDir"/> and signs the three attempts.</summary>
    public static ProofPackScenario Create(string outputsDir)
    {
        var s = new ProofPackScenario(outputsDir);
        s.Outputs = [s.WriteOutput(SmallOutput, Encoding.UTF8.GetBytes("hello\n")), s.WriteOutput(LargeOutput, LargeContent())];
        var spec = JobSpecParser.Parse(SpecText, "job.yaml").Spec ?? throw new InvalidOperationException("the scenario spec is invalid");
        ReceiptInput[] inputs = [new(InputPath, InputCid)];
        var outputs = s.Outputs.Select(o => new ReceiptOutput(o.Path, Cid.Parse(o.Cid), o.Size)).ToList();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

        var first = ReceiptFactory.Create(JobId, 1, 1, ProviderSpecText, spec, inputs, [], new(60_000, 1_000, 0, 10 << 20), null,
            start.AddMinutes(1), Owner(s.ProviderA), Bytes32.Zero);
        s.Put(first, s.ProviderA, []);
        s.Put(ReceiptFactory.Create(JobId, 2, 2, ProviderSpecText, spec, inputs, outputs, new(1_200, 900, 0, 20 << 20), 0,
            start.AddMinutes(2), Owner(s.ProviderB), Bytes32.Zero), s.ProviderB, s.Outputs);
        s.Put(ReceiptFactory.Create(JobId, 3, 3, ProviderSpecText, spec, inputs, outputs, new(1_100, 800, 0, 20 << 20), 0,
            start.AddMinutes(3), Owner(s.ProviderA), ReceiptSigning.Hash(first)), s.ProviderA, s.Outputs);
        return s;
    }

    public static Address Owner(EthECKey key) => Address.Parse(key.GetPublicAddress());

    /// <summary>The receipt of <paramref name="attempt"/> as the pack holds it.</summary>
    public Receipt Receipt(int attempt) => _attempts[attempt].Attempt.Receipt.ToReceipt(out _)!;

    /// <summary>Replaces an attempt's receipt with a changed one, signed again by its provider (a lying provider).</summary>
    public void Resign(int attempt, Func<Receipt, Receipt> change)
    {
        var (old, key) = _attempts[attempt];
        Put(change(Receipt(attempt)), key, old.Outputs);
    }

    /// <summary>Changes an attempt's receipt on the wire without signing it again (tampering in transit).</summary>
    public void Tamper(int attempt, Func<ReceiptView, ReceiptView> change)
    {
        var (old, key) = _attempts[attempt];
        _attempts[attempt] = (old with { Receipt = change(old.Receipt) }, key);
    }

    public ProofPack Pack() => new(
        ProofPack.CurrentVersion, JobId, SpecText, new VerifyPolicyView(2, 2), ReceiptDomainView.From(Domain),
        [.. _attempts.OrderBy(a => a.Key).Select(a => a.Value.Attempt)], Verdict, Outputs, Settlements, ProviderSpec: ProviderSpecText);

    /// <summary>Writes <see cref="ProofPack.FileName"/> into the outputs folder, as <c>og get --proof</c> does.</summary>
    public string WritePack()
    {
        var file = Path.Combine(OutputsDir, ProofPack.FileName);
        File.WriteAllText(file, JsonSerializer.Serialize(Pack(), OpenGridJsonContext.Default.ProofPack));
        return file;
    }

    private void Put(Receipt receipt, EthECKey key, IReadOnlyList<OutputFileView> outputs)
    {
        var signature = ReceiptSigning.FormatSignature(ReceiptSigning.Sign(receipt, Domain, key));
        _attempts[receipt.Attempt] = (new ProofAttempt(ReceiptView.From(receipt), signature, [new InputView(InputPath, InputCid.ToString())], outputs), key);
    }

    private OutputFileView WriteOutput(string path, byte[] content)
    {
        var file = Path.Combine(OutputsDir, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, content);
        var builder = new UnixFsCidBuilder();
        builder.Append(content);
        return new OutputFileView(path, builder.Complete().ToString(), content.Length);
    }

    // Just over one 256 KiB chunk, so its CID is a dag-pb root (bafy…), not a raw leaf.
    private static byte[] LargeContent() =>
        [.. Enumerable.Range(0, UnixFsCidBuilder.ChunkSize + 1000).Select(i => (byte)(i * 31 % 251))];
}
