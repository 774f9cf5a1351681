using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace OpenGrid.Chain.Registry;

// ABI of ProviderRegistry (contracts/ProviderRegistry.sol). Amounts are token base units.

public sealed class ProviderRegistryDeployment() : ContractDeploymentMessage(ContractArtifact.ProviderRegistry.Bytecode)
{
    [Parameter("address", "admin", 1)] public string Admin { get; set; } = "";
    [Parameter("address", "token_", 2)] public string Token { get; set; } = "";
    [Parameter("address", "treasury_", 3)] public string Treasury { get; set; } = "";
    [Parameter("uint256", "minBond_", 4)] public BigInteger MinBond { get; set; }
    [Parameter("uint64", "unbondDelay_", 5)] public ulong UnbondDelay { get; set; }
    [Parameter("uint16", "harmedShareBps_", 6)] public ushort HarmedShareBps { get; set; }
}

[Function("bond")]
public sealed class BondFunction : FunctionMessage
{
    [Parameter("uint256", "amount", 1)] public BigInteger Amount { get; set; }
}

[Function("requestUnbond")]
public sealed class RequestUnbondFunction : FunctionMessage
{
    [Parameter("uint256", "amount", 1)] public BigInteger Amount { get; set; }
}

[Function("withdrawUnbonded")]
public sealed class WithdrawUnbondedFunction : FunctionMessage;

[Function("slash")]
public sealed class SlashFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
    [Parameter("uint256", "amount", 2)] public BigInteger Amount { get; set; }
    [Parameter("address", "harmedRequester", 3)] public string HarmedRequester { get; set; } = "";
    [Parameter("string", "reason", 4)] public string Reason { get; set; } = "";
}

[Function("withdrawCompensation")]
public sealed class WithdrawCompensationFunction : FunctionMessage;

[Function("setAttestation")]
public sealed class SetAttestationFunction : FunctionMessage
{
    [Parameter("bytes32", "attestation", 1)] public byte[] Attestation { get; set; } = [];
}

[Function("isBonded", "bool")]
public sealed class IsBondedFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
}

[Function("stakes", typeof(StakeOutput))]
public sealed class StakesFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
}

[Function("compensationOf", "uint256")]
public sealed class CompensationOfFunction : FunctionMessage
{
    [Parameter("address", "account", 1)] public string Account { get; set; } = "";
}

[Function("minBond", "uint256")]
public sealed class MinBondFunction : FunctionMessage;

[Function("unbondDelay", "uint64")]
public sealed class UnbondDelayFunction : FunctionMessage;

[Function("harmedShareBps", "uint16")]
public sealed class HarmedShareBpsFunction : FunctionMessage;

[FunctionOutput]
public sealed class StakeOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "bonded", 1)] public BigInteger Bonded { get; set; }
    [Parameter("uint256", "unbonding", 2)] public BigInteger Unbonding { get; set; }
    [Parameter("uint64", "unbondReadyAt", 3)] public ulong UnbondReadyAt { get; set; }
    [Parameter("bytes32", "attestation", 4)] public byte[] Attestation { get; set; } = [];
}

[Event("Bonded")]
public sealed class BondedEvent : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "bonded", 3, false)] public BigInteger Bonded { get; set; }
}

[Event("UnbondRequested")]
public sealed class UnbondRequestedEvent : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "unbonding", 3, false)] public BigInteger Unbonding { get; set; }
    [Parameter("uint64", "readyAt", 4, false)] public ulong ReadyAt { get; set; }
}

[Event("UnbondWithdrawn")]
public sealed class UnbondWithdrawnEvent : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
}

[Event("Slashed")]
public sealed class SlashedEvent : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("address", "harmedRequester", 2, true)] public string HarmedRequester { get; set; } = "";
    [Parameter("uint256", "amount", 3, false)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "toRequester", 4, false)] public BigInteger ToRequester { get; set; }
    [Parameter("uint256", "toTreasury", 5, false)] public BigInteger ToTreasury { get; set; }
    [Parameter("string", "reason", 6, false)] public string Reason { get; set; } = "";
}

[Event("AttestationSet")]
public sealed class AttestationSetEvent : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("bytes32", "attestation", 2, false)] public byte[] Attestation { get; set; } = [];
}

[Event("CompensationWithdrawn")]
public sealed class CompensationWithdrawnEvent : IEventDTO
{
    [Parameter("address", "account", 1, true)] public string Account { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
}
