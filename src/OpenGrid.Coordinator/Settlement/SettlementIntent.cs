using OpenGrid.Chain.Escrow;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// An on-chain action: an escrow lease's open, release and close, or a <c>Slash</c> of the provider's bond on proof of
/// fraud (a failed canary; <c>Cap</c> is the amount, at most the provider's stake when it is sent).
/// </summary>
public enum SettlementAction { Open, Release, Close, Slash }

/// <summary>
/// Where an intent is: <c>Pending</c> (never sent), <c>Sent</c> (a transaction may have gone out: read the chain before
/// sending again), <c>Done</c> (its effect is on chain), <c>Failed</c> (the contract refused it for good).
/// </summary>
public enum IntentState { Pending, Sent, Done, Failed }

/// <summary>How a lease pays: once on verified completion, or per verified interval (price.mode in the spec).</summary>
public enum PaymentMode { Milestone, Streaming }

/// <summary>
/// One on-chain action for one attempt's lease, recorded before it is sent and keyed by (job, attempt, action, seq).
/// Amounts in base units; <see cref="Seconds"/> is the cumulative verified seconds a release pays up to (0 otherwise);
/// <see cref="Seq"/> numbers a lease's releases 0, 1, 2… in the order they are sent (a streaming lease has one per
/// interval; everything else has seq 0).
/// </summary>
public sealed record SettlementIntent(
    long Id,
    JobId Job,
    int Attempt,
    SettlementAction Action,
    Address Requester,
    Address Provider,
    TokenAmount RatePerHour,
    TokenAmount Cap,
    ulong Seconds,
    PaymentMode Mode,
    IntentState State = IntentState.Pending,
    int Failures = 0,
    DateTimeOffset? NextTryAt = null,
    string? TxHash = null,
    long? GasUsed = null,
    string? Note = null,
    int Seq = 0)
{
    /// <summary>The escrow lease of this attempt: one per attempt, derived from a stable key.</summary>
    public EscrowLeaseId LeaseId => LeaseIdOf(Job, Attempt);

    public bool IsFinished => State is IntentState.Done or IntentState.Failed;

    public static EscrowLeaseId LeaseIdOf(JobId job, int attempt) => EscrowLeaseId.FromKey($"{job}/{attempt}");

    /// <summary>The reason a slash carries on chain, which also keys it: one slash per canary attempt.</summary>
    public string SlashReason => $"failed canary {Job} attempt {Attempt}";
}

/// <summary>Wire names of the enums as stored in SQLite.</summary>
public static class SettlementNames
{
    public static string ToWire(this SettlementAction a) => a switch
    {
        SettlementAction.Open => "open",
        SettlementAction.Release => "release",
        SettlementAction.Slash => "slash",
        _ => "close",
    };

    public static string ToWire(this IntentState s) => s switch
    {
        IntentState.Pending => "pending",
        IntentState.Sent => "sent",
        IntentState.Done => "done",
        _ => "failed",
    };

    public static string ToWire(this PaymentMode m) => m == PaymentMode.Streaming ? "streaming" : "milestone";

    public static SettlementAction ParseAction(string s) => s switch
    {
        "open" => SettlementAction.Open,
        "release" => SettlementAction.Release,
        "close" => SettlementAction.Close,
        "slash" => SettlementAction.Slash,
        _ => throw new InvalidDataException($"unknown settlement action '{s}'"),
    };

    public static IntentState ParseState(string s) => s switch
    {
        "pending" => IntentState.Pending,
        "sent" => IntentState.Sent,
        "done" => IntentState.Done,
        "failed" => IntentState.Failed,
        _ => throw new InvalidDataException($"unknown intent state '{s}'"),
    };

    public static PaymentMode ParseMode(string s) => s == "streaming" ? PaymentMode.Streaming : PaymentMode.Milestone;
}
