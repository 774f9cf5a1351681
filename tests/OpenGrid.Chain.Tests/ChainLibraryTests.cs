using System.Numerics;
using OpenGrid.Chain.Escrow;
using OpenGrid.Core;

namespace OpenGrid.Chain.Tests;

/// <summary>The pieces of OpenGrid.Chain that need no chain: amounts, ids, options, revert decoding.</summary>
public class ChainLibraryTests
{
    [Fact]
    public void Amounts_convert_exactly_between_TokenAmount_and_the_wire()
    {
        Assert.Equal(new BigInteger(1_500_000), ChainAmount.ToWire(TokenAmount.FromBaseUnits(1_500_000)));
        Assert.Equal(TokenAmount.FromBaseUnits(long.MaxValue), ChainAmount.FromWire(long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChainAmount.ToWire(TokenAmount.FromBaseUnits(-1)));
        Assert.Throws<OverflowException>(() => ChainAmount.FromWire(new BigInteger(long.MaxValue) + 1));
    }

    [Fact]
    public void Lease_ids_derive_from_a_key_deterministically_and_round_trip_through_bytes()
    {
        var id = EscrowLeaseId.FromKey("job-1/2");
        Assert.Equal(id, EscrowLeaseId.FromKey("job-1/2"));
        Assert.NotEqual(id, EscrowLeaseId.FromKey("job-1/3"));
        Assert.Equal(id, EscrowLeaseId.FromBytes(id.ToBytes()));
        Assert.Matches("^0x[0-9a-f]{64}$", id.Hex);
        Assert.Throws<ArgumentException>(() => EscrowLeaseId.FromBytes(new byte[31]));
    }

    [Fact]
    public void Options_validation_names_each_bad_setting_and_its_fix()
    {
        var errors = new ChainOptions { RpcUrl = "not a url", ChainId = 0, EscrowAddress = "0x1234", KeyFile = "/nonexistent/key.json" }.Validate();
        Assert.Contains(errors, e => e.StartsWith("Chain:RpcUrl", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Chain:ChainId", StringComparison.Ordinal) && e.Contains("84532", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Chain:EscrowAddress '0x1234' is not", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Chain:TokenAddress is not set", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Chain:ReceiptVerifierAddress is not set", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Chain:KeyFile '/nonexistent/key.json' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_options_have_no_errors()
    {
        var key = Path.GetTempFileName();
        try
        {
            var address = "0x" + new string('a', 40);
            var options = new ChainOptions
            {
                RpcUrl = "https://sepolia.base.org", ChainId = 84532, TokenAddress = address, EscrowAddress = address,
                RegistryAddress = address, ReputationAddress = address, ReceiptVerifierAddress = address, KeyFile = key,
            };
            Assert.Empty(options.Validate());
        }
        finally
        {
            File.Delete(key);
        }
    }

    [Fact]
    public void The_key_file_is_the_og_key_json_format()
    {
        var key = Path.GetTempFileName();
        try
        {
            File.WriteAllText(key, """{"address": "ignored", "privateKey": "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"}""");
            Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", ChainKeyFile.Load(key, 31337).Address);
            File.WriteAllText(key, "{}");
            Assert.Contains("has no \"privateKey\"", Assert.Throws<InvalidOperationException>(() => ChainKeyFile.Load(key, 31337)).Message);
        }
        finally
        {
            File.Delete(key);
        }
    }

    [Fact]
    public void Reverts_decode_to_the_custom_error_with_a_stable_code()
    {
        // CapExceeded(bytes32,uint256,uint256)
        var abi = ContractArtifact.JobEscrow.Abi.Errors.Single(e => e.Name == "CapExceeded");
        var data = "0x" + abi.Sha3Signature + new string('0', 63) + "1" + new string('0', 62) + "0a" + new string('0', 62) + "09";
        var revert = RevertDecoder.Decode(data, "releaseStreaming");
        Assert.Equal(("CapExceeded", "chain.cap_exceeded"), (revert.ErrorName, revert.Code));
        Assert.Equal(new object[] { new BigInteger(10), new BigInteger(9) }, revert.Arguments.Skip(1));
        Assert.StartsWith("releaseStreaming: contract call CapExceeded(0x", revert.Message);
    }

    [Fact]
    public void Reverts_without_data_or_with_a_reason_string_decode_too()
    {
        Assert.Equal("chain.reverted", RevertDecoder.Decode("0x").Code);
        // Error("boom")
        var data = "0x08c379a0" + "0000000000000000000000000000000000000000000000000000000000000020"
            + "0000000000000000000000000000000000000000000000000000000000000004" + "626f6f6d00000000000000000000000000000000000000000000000000000000";
        var revert = RevertDecoder.Decode(data);
        Assert.Equal(("Error", "boom"), (revert.ErrorName, revert.Arguments[0]));
    }
}
