using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace OpenGrid.Chain.Receipts;

// ABI of ReceiptVerifier (contracts/ReceiptVerifier.sol).

public sealed class ReceiptVerifierDeployment() : ContractDeploymentMessage(ContractArtifact.ReceiptVerifier.Bytecode);

/// <summary>
/// The contract's <c>Receipt</c> struct (docs/receipts.md): usage in ms and bytes, hashes as 32 bytes, addresses as
/// 0x-hex. OpenGrid.Protocol's <c>Receipt</c> maps onto it one field for one.
/// </summary>
public sealed class ReceiptTuple
{
    [Parameter("string", "jobId", 1)] public string JobId { get; set; } = "";
    [Parameter("uint32", "attempt", 2)] public uint Attempt { get; set; }
    [Parameter("uint64", "epoch", 3)] public ulong Epoch { get; set; }
    [Parameter("bytes32", "specHash", 4)] public byte[] SpecHash { get; set; } = [];
    [Parameter("bytes32", "runtimeDigest", 5)] public byte[] RuntimeDigest { get; set; } = [];
    [Parameter("bytes32", "inputsHash", 6)] public byte[] InputsHash { get; set; } = [];
    [Parameter("bytes32", "outputsHash", 7)] public byte[] OutputsHash { get; set; } = [];
    [Parameter("uint64", "wallMs", 8)] public ulong WallMs { get; set; }
    [Parameter("uint64", "cpuMs", 9)] public ulong CpuMs { get; set; }
    [Parameter("uint64", "gpuMs", 10)] public ulong GpuMs { get; set; }
    [Parameter("uint64", "peakMemoryBytes", 11)] public ulong PeakMemoryBytes { get; set; }
    [Parameter("int32", "exitCode", 12)] public int ExitCode { get; set; }
    [Parameter("uint64", "timestamp", 13)] public ulong Timestamp { get; set; }
    [Parameter("address", "provider", 14)] public string Provider { get; set; } = "";
    [Parameter("bytes32", "prevReceiptHash", 15)] public byte[] PrevReceiptHash { get; set; } = [];
}

[Function("RECEIPT_TYPEHASH", "bytes32")]
public sealed class ReceiptTypeHashFunction : FunctionMessage;

[Function("receiptHash", "bytes32")]
public sealed class ReceiptHashFunction : FunctionMessage
{
    [Parameter("tuple", "r", 1)] public ReceiptTuple Receipt { get; set; } = new();
}

[Function("digest", "bytes32")]
public sealed class ReceiptDigestFunction : FunctionMessage
{
    [Parameter("tuple", "r", 1)] public ReceiptTuple Receipt { get; set; } = new();
}

[Function("recoverSigner", "address")]
public sealed class RecoverSignerFunction : FunctionMessage
{
    [Parameter("tuple", "r", 1)] public ReceiptTuple Receipt { get; set; } = new();
    [Parameter("bytes", "signature", 2)] public byte[] Signature { get; set; } = [];
}

[Function("verify", "bool")]
public sealed class VerifyReceiptFunction : FunctionMessage
{
    [Parameter("tuple", "r", 1)] public ReceiptTuple Receipt { get; set; } = new();
    [Parameter("bytes", "signature", 2)] public byte[] Signature { get; set; } = [];
}
