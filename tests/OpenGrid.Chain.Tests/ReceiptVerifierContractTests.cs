using System.Numerics;
using System.Text;
using Nethereum.Signer;
using Nethereum.Util;
using OpenGrid.Chain.Receipts;
using OpenGrid.Chain.Tests.Evm;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Chain.Tests;

/// <summary>
/// ReceiptVerifier, in-process on Nethereum.EVM, against receipts hashed and signed in C# (ReceiptSigning): both sides
/// must compute the same EIP-712 hashes, and the contract must recover exactly the provider.
/// </summary>
public sealed class ReceiptVerifierContractTests : IDisposable
{
    private readonly TempDir _dir = new("og-receipt-contract");
    private readonly ProofPackScenario _scenario;

    public ReceiptVerifierContractTests() => _scenario = ProofPackScenario.Create(_dir.Path);

    [Fact]
    public async Task The_contract_type_hash_is_the_keccak_of_the_CSharp_receipt_type()
    {
        var (chain, contract) = await DeployAsync();

        var typeHash = await chain.CallAsync<ReceiptTypeHashFunction, byte[]>(contract, new());

        Assert.Equal(Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(ReceiptSigning.ReceiptType)), typeHash);
    }

    [Theory]
    [InlineData(1)] // no exit code (-1), zero previous hash, no outputs
    [InlineData(3)] // exit code 0, linked to attempt 1
    public async Task The_contract_computes_the_same_receipt_hash_and_digest_as_CSharp(int attempt)
    {
        var (chain, contract) = await DeployAsync();
        var receipt = _scenario.Receipt(attempt);

        var hash = await chain.CallAsync<ReceiptHashFunction, byte[]>(contract, new() { Receipt = ReceiptTuples.From(receipt) });
        var digest = await chain.CallAsync<ReceiptDigestFunction, byte[]>(contract, new() { Receipt = ReceiptTuples.From(receipt) });

        Assert.Equal(ReceiptSigning.Hash(receipt).ToArray(), hash);
        Assert.Equal(ReceiptSigning.Digest(receipt, DomainOf(contract)).ToArray(), digest);
    }

    [Fact]
    public async Task The_contract_recovers_exactly_the_provider_from_a_receipt_signed_in_CSharp()
    {
        var (chain, contract) = await DeployAsync();
        var receipt = _scenario.Receipt(3);
        var signature = ReceiptSigning.Sign(receipt, DomainOf(contract), _scenario.ProviderA);

        var signer = await chain.CallAsync<RecoverSignerFunction, string>(contract, new() { Receipt = ReceiptTuples.From(receipt), Signature = signature });
        var valid = await chain.CallAsync<VerifyReceiptFunction, bool>(contract, new() { Receipt = ReceiptTuples.From(receipt), Signature = signature });

        Revert.SameAddress(receipt.Provider.Value, signer);
        Assert.True(valid);
    }

    public static TheoryData<string> Tamperings() => new(Tamper.Keys);

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task The_contract_rejects_a_receipt_with_a_tampered_field(string field)
    {
        var (chain, contract) = await DeployAsync();
        var receipt = _scenario.Receipt(3);
        var signature = ReceiptSigning.Sign(receipt, DomainOf(contract), _scenario.ProviderA);
        var tampered = ReceiptTuples.From(Tamper[field](receipt));

        var signer = await chain.CallAsync<RecoverSignerFunction, string>(contract, new() { Receipt = tampered, Signature = signature });
        var valid = await chain.CallAsync<VerifyReceiptFunction, bool>(contract, new() { Receipt = tampered, Signature = signature });

        Assert.NotEqual(receipt.Provider.Value, signer.ToLowerInvariant());
        Assert.False(valid);
    }

    [Fact]
    public async Task The_contract_rejects_a_receipt_signed_for_another_domain()
    {
        var (chain, contract) = await DeployAsync();
        var receipt = _scenario.Receipt(3);
        var offline = ReceiptSigning.Sign(receipt, ReceiptDomain.Offline, _scenario.ProviderA);

        Assert.False(await chain.CallAsync<VerifyReceiptFunction, bool>(contract, new() { Receipt = ReceiptTuples.From(receipt), Signature = offline }));
    }

    [Fact]
    public async Task The_contract_and_CSharp_both_refuse_the_high_s_twin_of_a_valid_signature()
    {
        var (chain, contract) = await DeployAsync();
        var receipt = _scenario.Receipt(3);
        var twin = HighSTwin(ReceiptSigning.Sign(receipt, DomainOf(contract), _scenario.ProviderA));

        Assert.False(await chain.CallAsync<VerifyReceiptFunction, bool>(contract, new() { Receipt = ReceiptTuples.From(receipt), Signature = twin }));
        Assert.Null(ReceiptSigning.RecoverSigner(receipt, DomainOf(contract), twin));
    }

    private static readonly Dictionary<string, Func<Receipt, Receipt>> Tamper = new()
    {
        ["jobId"] = r => r with { JobId = r.JobId + "0" },
        ["attempt"] = r => r with { Attempt = r.Attempt + 1 },
        ["epoch"] = r => r with { Epoch = r.Epoch + 1 },
        ["outputsHash"] = r => r with { OutputsHash = ReceiptEncoding.OutputsHash([]) },
        ["gpuMs"] = r => r with { Usage = r.Usage with { GpuMs = 1 } },
        ["exitCode"] = r => r with { ExitCode = -1 },
        ["timestamp"] = r => r with { Timestamp = r.Timestamp + 1 },
        ["provider"] = r => r with { Provider = ProofPackScenario.Owner(EthECKey.GenerateKey()) },
        ["prevReceiptHash"] = r => r with { PrevReceiptHash = Bytes32.Zero },
    };

    private static async Task<(EvmChain Chain, string Contract)> DeployAsync()
    {
        var chain = new EvmChain();
        return (chain, await chain.DeployAsync(chain.NewAccount(), new ReceiptVerifierDeployment()));
    }

    // EvmChain runs with the dev chain's id.
    private static ReceiptDomain DomainOf(string contract) => new(ReceiptDomain.DevChainId, Address.Parse(contract));

    // (r, n - s, v ^ 1) recovers the same key: the malleable form OpenZeppelin's ECDSA refuses.
    private static byte[] HighSTwin(byte[] signature)
    {
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var s = new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var twin = (byte[])signature.Clone();
        (n - s).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(twin, 32);
        twin[64] = (byte)(signature[64] == 27 ? 28 : 27);
        return twin;
    }

    public void Dispose() => _dir.Dispose();
}
