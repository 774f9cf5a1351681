using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace OpenGrid.Chain.Escrow;

// ABI of JobEscrow (contracts/JobEscrow.sol). Amounts are token base units; lease ids are bytes32.

public sealed class JobEscrowDeployment() : ContractDeploymentMessage(ContractArtifact.JobEscrow.Bytecode)
{
    [Parameter("address", "admin", 1)] public string Admin { get; set; } = "";
    [Parameter("address", "token_", 2)] public string Token { get; set; } = "";
    [Parameter("address", "treasury_", 3)] public string Treasury { get; set; } = "";
    [Parameter("uint64", "closeGrace_", 4)] public ulong CloseGrace { get; set; }
}

[Function("deposit")]
public sealed class DepositFunction : FunctionMessage
{
    [Parameter("uint256", "amount", 1)] public BigInteger Amount { get; set; }
}

[Function("withdraw")]
public sealed class WithdrawFunction : FunctionMessage
{
    [Parameter("uint256", "amount", 1)] public BigInteger Amount { get; set; }
}

/// <summary>The contract's <c>JobAuthorization</c> struct: what the requester signed for a job (deadline in unix seconds).</summary>
public sealed class JobAuthorizationTuple
{
    [Parameter("bytes32", "job", 1)] public byte[] Job { get; set; } = [];
    [Parameter("uint128", "maxRatePerHour", 2)] public BigInteger MaxRatePerHour { get; set; }
    [Parameter("uint128", "maxTotal", 3)] public BigInteger MaxTotal { get; set; }
    [Parameter("uint64", "deadline", 4)] public ulong Deadline { get; set; }
}

[Function("openLease")]
public sealed class OpenLeaseFunction : FunctionMessage
{
    [Parameter("bytes32", "leaseId", 1)] public byte[] LeaseId { get; set; } = [];
    [Parameter("address", "requester", 2)] public string Requester { get; set; } = "";
    [Parameter("address", "provider", 3)] public string Provider { get; set; } = "";
    [Parameter("uint128", "ratePerHour", 4)] public BigInteger RatePerHour { get; set; }
    [Parameter("uint128", "cap", 5)] public BigInteger Cap { get; set; }
    [Parameter("tuple", "authorization", 6)] public JobAuthorizationTuple Authorization { get; set; } = new();
    [Parameter("bytes", "signature", 7)] public byte[] Signature { get; set; } = [];
}

[Function("authorizationDigest", "bytes32")]
public sealed class AuthorizationDigestFunction : FunctionMessage
{
    [Parameter("tuple", "authorization", 1)] public JobAuthorizationTuple Authorization { get; set; } = new();
}

[Function("committedOf", "uint256")]
public sealed class CommittedOfFunction : FunctionMessage
{
    [Parameter("address", "requester", 1)] public string Requester { get; set; } = "";
    [Parameter("bytes32", "job", 2)] public byte[] Job { get; set; } = [];
}

[Function("JOB_AUTHORIZATION_TYPEHASH", "bytes32")]
public sealed class JobAuthorizationTypehashFunction : FunctionMessage;

[Function("releaseStreaming")]
public sealed class ReleaseStreamingFunction : FunctionMessage
{
    [Parameter("bytes32", "leaseId", 1)] public byte[] LeaseId { get; set; } = [];
    [Parameter("uint64", "verifiedSeconds", 2)] public ulong VerifiedSeconds { get; set; }
}

[Function("releaseMilestone")]
public sealed class ReleaseMilestoneFunction : FunctionMessage
{
    [Parameter("bytes32", "leaseId", 1)] public byte[] LeaseId { get; set; } = [];
    [Parameter("uint64", "verifiedSeconds", 2)] public ulong VerifiedSeconds { get; set; }
}

[Function("closeLease")]
public sealed class CloseLeaseFunction : FunctionMessage
{
    [Parameter("bytes32", "leaseId", 1)] public byte[] LeaseId { get; set; } = [];
}

[Function("withdrawEarnings")]
public sealed class WithdrawEarningsFunction : FunctionMessage;

[Function("availableOf", "uint256")]
public sealed class AvailableOfFunction : FunctionMessage
{
    [Parameter("address", "requester", 1)] public string Requester { get; set; } = "";
}

[Function("lockedOf", "uint256")]
public sealed class LockedOfFunction : FunctionMessage
{
    [Parameter("address", "requester", 1)] public string Requester { get; set; } = "";
}

[Function("earningsOf", "uint256")]
public sealed class EarningsOfFunction : FunctionMessage
{
    [Parameter("address", "account", 1)] public string Account { get; set; } = "";
}

[Function("leases", typeof(LeaseOutput))]
public sealed class LeasesFunction : FunctionMessage
{
    [Parameter("bytes32", "leaseId", 1)] public byte[] LeaseId { get; set; } = [];
}

[Function("payFor", "uint256")]
public sealed class PayForFunction : FunctionMessage
{
    [Parameter("uint128", "ratePerHour", 1)] public BigInteger RatePerHour { get; set; }
    [Parameter("uint64", "verifiedSeconds", 2)] public ulong VerifiedSeconds { get; set; }
}

[Function("feeOn", "uint256")]
public sealed class FeeOnFunction : FunctionMessage
{
    [Parameter("uint256", "released", 1)] public BigInteger Released { get; set; }
}

[Function("treasury", "address")]
public sealed class EscrowTreasuryFunction : FunctionMessage;

[Function("token", "address")]
public sealed class EscrowTokenFunction : FunctionMessage;

[Function("closeGrace", "uint64")]
public sealed class CloseGraceFunction : FunctionMessage;

[Function("FEE_BPS", "uint256")]
public sealed class FeeBpsFunction : FunctionMessage;

[FunctionOutput]
public sealed class LeaseOutput : IFunctionOutputDTO
{
    [Parameter("address", "requester", 1)] public string Requester { get; set; } = "";
    [Parameter("uint64", "paidSeconds", 2)] public ulong PaidSeconds { get; set; }
    [Parameter("uint8", "status", 3)] public byte Status { get; set; }
    [Parameter("address", "provider", 4)] public string Provider { get; set; } = "";
    [Parameter("uint64", "expiresAt", 5)] public ulong ExpiresAt { get; set; }
    [Parameter("uint128", "ratePerHour", 6)] public BigInteger RatePerHour { get; set; }
    [Parameter("uint128", "cap", 7)] public BigInteger Cap { get; set; }
    [Parameter("uint128", "released", 8)] public BigInteger Released { get; set; }
    [Parameter("bytes32", "job", 9)] public byte[] Job { get; set; } = [];
}

[Event("Deposited")]
public sealed class DepositedEvent : IEventDTO
{
    [Parameter("address", "requester", 1, true)] public string Requester { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
}

[Event("Withdrawn")]
public sealed class WithdrawnEvent : IEventDTO
{
    [Parameter("address", "requester", 1, true)] public string Requester { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
}

[Event("LeaseOpened")]
public sealed class LeaseOpenedEvent : IEventDTO
{
    [Parameter("bytes32", "leaseId", 1, true)] public byte[] LeaseId { get; set; } = [];
    [Parameter("address", "requester", 2, true)] public string Requester { get; set; } = "";
    [Parameter("address", "provider", 3, true)] public string Provider { get; set; } = "";
    [Parameter("uint128", "ratePerHour", 4, false)] public BigInteger RatePerHour { get; set; }
    [Parameter("uint128", "cap", 5, false)] public BigInteger Cap { get; set; }
    [Parameter("uint64", "expiresAt", 6, false)] public ulong ExpiresAt { get; set; }
    [Parameter("bytes32", "job", 7, false)] public byte[] Job { get; set; } = [];
}

[Event("Released")]
public sealed class ReleasedEvent : IEventDTO
{
    [Parameter("bytes32", "leaseId", 1, true)] public byte[] LeaseId { get; set; } = [];
    [Parameter("address", "provider", 2, true)] public string Provider { get; set; } = "";
    [Parameter("uint64", "verifiedSeconds", 3, false)] public ulong VerifiedSeconds { get; set; }
    [Parameter("uint256", "amount", 4, false)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "fee", 5, false)] public BigInteger Fee { get; set; }
    [Parameter("bool", "milestone", 6, false)] public bool Milestone { get; set; }
}

[Event("LeaseClosed")]
public sealed class LeaseClosedEvent : IEventDTO
{
    [Parameter("bytes32", "leaseId", 1, true)] public byte[] LeaseId { get; set; } = [];
    [Parameter("address", "requester", 2, true)] public string Requester { get; set; } = "";
    [Parameter("uint256", "released", 3, false)] public BigInteger Released { get; set; }
    [Parameter("uint256", "refund", 4, false)] public BigInteger Refund { get; set; }
    [Parameter("address", "closedBy", 5, false)] public string ClosedBy { get; set; } = "";
}

[Event("EarningsWithdrawn")]
public sealed class EarningsWithdrawnEvent : IEventDTO
{
    [Parameter("address", "account", 1, true)] public string Account { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
}
