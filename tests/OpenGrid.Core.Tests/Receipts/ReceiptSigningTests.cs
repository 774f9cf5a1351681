using Nethereum.Signer;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Core.Tests.Receipts;

public sealed class ReceiptSigningTests : IDisposable
{
    private readonly TempDir _dir = new("og-receipt-signing");
    private readonly ProofPackScenario _scenario;

    public ReceiptSigningTests() => _scenario = ProofPackScenario.Create(_dir.Path);

    private static ReceiptDomain Domain => ProofPackScenario.Domain;

    [Fact]
    public void A_signature_recovers_to_the_provider_and_is_65_bytes_with_v_27_or_28()
    {
        var receipt = _scenario.Receipt(3);

        var signature = ReceiptSigning.Sign(receipt, Domain, _scenario.ProviderA);

        Assert.Equal((65, true), (signature.Length, signature[64] is 27 or 28));
        Assert.Equal(receipt.Provider, ReceiptSigning.RecoverSigner(receipt, Domain, signature));
    }

    [Fact]
    public void The_signature_is_the_one_nethereums_signer_makes_and_nethereum_recovers_the_same_signer()
    {
        // Two implementations of secp256k1 (libsecp256k1's C# port signs and recovers here, BouncyCastle in Nethereum):
        // both use RFC 6979 nonces and low s, so the bytes must be equal, and each recovers the other's signer.
        var receipt = _scenario.Receipt(3);
        var digest = ReceiptSigning.Digest(receipt, Domain).ToArray();

        var ours = ReceiptSigning.Sign(receipt, Domain, _scenario.ProviderA);
        var theirs = _scenario.ProviderA.SignAndCalculateV(digest);

        Assert.Equal([.. theirs.R.PadLeft(32), .. theirs.S.PadLeft(32), theirs.V[0]], ours);
        var recovered = EthECKey.RecoverFromSignature(EthECDSASignatureFactory.FromComponents(ours[..32], ours[32..64], ours[64]), digest);
        Assert.Equal(_scenario.ProviderA.GetPublicAddress(), recovered.GetPublicAddress());
    }

    public static TheoryData<string> Fields() => new(Changes.Keys);

    [Theory]
    [MemberData(nameof(Fields))]
    public void Changing_any_field_breaks_the_signature(string field)
    {
        var receipt = _scenario.Receipt(3);
        var signature = ReceiptSigning.Sign(receipt, Domain, _scenario.ProviderA);

        Assert.False(ReceiptSigning.IsSignedByProvider(Changes[field](receipt), Domain, signature));
    }

    [Fact]
    public void A_signature_holds_only_in_the_domain_it_was_made_for()
    {
        var receipt = _scenario.Receipt(3);
        var signature = ReceiptSigning.Sign(receipt, Domain, _scenario.ProviderA);

        Assert.False(ReceiptSigning.IsSignedByProvider(receipt, ReceiptDomain.Offline, signature));
        Assert.False(ReceiptSigning.IsSignedByProvider(receipt, Domain with { ChainId = 1 }, signature));
    }

    [Fact]
    public void The_chain_hash_does_not_depend_on_the_domain_but_the_digest_does()
    {
        var receipt = _scenario.Receipt(3);

        Assert.Equal(receipt.PrevReceiptHash, ReceiptSigning.Hash(_scenario.Receipt(1)));
        Assert.NotEqual(ReceiptSigning.Digest(receipt, Domain), ReceiptSigning.Digest(receipt, ReceiptDomain.Offline));
    }

    [Theory]
    [InlineData("too short")]
    [InlineData("v is 0")]
    [InlineData("r is zero")]
    public void A_malformed_signature_recovers_no_one(string kind)
    {
        var receipt = _scenario.Receipt(3);
        var signature = ReceiptSigning.Sign(receipt, Domain, _scenario.ProviderA);
        switch (kind)
        {
            case "too short": signature = signature[..64]; break;
            case "v is 0": signature[64] = 0; break;
            default: Array.Clear(signature, 0, 32); break;
        }

        Assert.Null(ReceiptSigning.RecoverSigner(receipt, Domain, signature));
    }

    [Theory]
    [InlineData("0x12")]
    [InlineData("12")]
    [InlineData(null)]
    public void A_signature_wire_form_must_be_0x_and_65_hex_bytes(string? hex)
    {
        var good = ReceiptSigning.FormatSignature(ReceiptSigning.Sign(_scenario.Receipt(3), Domain, _scenario.ProviderA));

        Assert.True(ReceiptSigning.TryParseSignature(good, out var parsed));
        Assert.Equal(good, ReceiptSigning.FormatSignature(parsed));
        Assert.False(ReceiptSigning.TryParseSignature(hex, out _));
        Assert.False(ReceiptSigning.TryParseSignature(good[..^1] + "g", out _));
    }

    [Fact]
    public void Only_the_receipts_provider_can_sign_it()
    {
        var e = Assert.Throws<ArgumentException>(() => ReceiptSigning.Sign(_scenario.Receipt(3), Domain, _scenario.ProviderB));
        Assert.StartsWith($"The key of {_scenario.ProviderB.GetPublicAddress()} cannot sign a receipt of provider", e.Message);
    }

    [Fact]
    public void A_negative_usage_cannot_be_hashed()
    {
        var receipt = _scenario.Receipt(3) with { Usage = new(-1, 0, 0, 0) };

        Assert.Throws<ArgumentOutOfRangeException>(() => ReceiptSigning.Hash(receipt));
    }

    private static readonly Dictionary<string, Func<Receipt, Receipt>> Changes = new()
    {
        ["jobId"] = r => r with { JobId = "0197a5c2e4b07d3f8a1b2c3d4e5f6a7c" },
        ["attempt"] = r => r with { Attempt = 4 },
        ["epoch"] = r => r with { Epoch = 4 },
        ["specHash"] = r => r with { SpecHash = ReceiptEncoding.SpecHash("other") },
        ["runtimeDigest"] = r => r with { RuntimeDigest = ReceiptEncoding.SpecHash("other") },
        ["inputsHash"] = r => r with { InputsHash = ReceiptEncoding.InputsHash([]) },
        ["outputsHash"] = r => r with { OutputsHash = ReceiptEncoding.OutputsHash([]) },
        ["wallMs"] = r => r with { Usage = r.Usage with { WallMs = r.Usage.WallMs + 1 } },
        ["cpuMs"] = r => r with { Usage = r.Usage with { CpuMs = r.Usage.CpuMs + 1 } },
        ["gpuMs"] = r => r with { Usage = r.Usage with { GpuMs = r.Usage.GpuMs + 1 } },
        ["peakMemoryBytes"] = r => r with { Usage = r.Usage with { PeakMemoryBytes = r.Usage.PeakMemoryBytes + 1 } },
        ["exitCode"] = r => r with { ExitCode = Receipt.NoExitCode },
        ["timestamp"] = r => r with { Timestamp = r.Timestamp + 1 },
        ["provider"] = r => r with { Provider = ProofPackScenario.Owner(EthECKey.GenerateKey()) },
        ["prevReceiptHash"] = r => r with { PrevReceiptHash = Bytes32.Zero },
    };

    public void Dispose() => _dir.Dispose();
}

internal static class ByteArrayPadding
{
    public static byte[] PadLeft(this byte[] value, int length) =>
        value.Length >= length ? value[^length..] : [.. new byte[length - value.Length], .. value];
}
