using System.Text.Json.Serialization;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Protocol.Gateway;

// The provider gateway: one WebSocket per provider at /v1/providers/connect, opened by the provider (works
// behind NAT). Text frames, one JSON message each, discriminated by "type". Delivery is at-least-once: every
// handler on both sides is idempotent, keyed by (jobId, epoch) and, for logs, seq.

/// <summary>A message from a provider to the coordinator.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Hello), "hello")]
[JsonDerivedType(typeof(Heartbeat), "heartbeat")]
[JsonDerivedType(typeof(LeaseAccepted), "lease_accepted")]
[JsonDerivedType(typeof(JobStarted), "job_started")]
[JsonDerivedType(typeof(LogData), "log")]
[JsonDerivedType(typeof(JobFinished), "job_finished")]
[JsonDerivedType(typeof(InputsCached), "inputs_cached")]
public abstract record ProviderMessage;

/// <summary>
/// First message on a connection: what the provider has and enforces, and the leases it is still running (after
/// a reconnect or a coordinator restart), so the coordinator can keep them or tell it to stop.
/// </summary>
public sealed record Hello(
    string AgentVersion,
    string Name,
    HardwareView Hardware,
    IReadOnlyList<string> Capabilities,
    SandboxView Sandbox,
    IReadOnlyList<LeaseRef>? RunningLeases = null,
    OfferTermsView? Terms = null,
    IReadOnlyList<string>? CachedInputs = null) : ProviderMessage;

/// <summary>
/// The input CIDs the provider holds in its cache now (the most recently used, at most 1000), sent when the set
/// changes; the matcher prefers providers that already hold a job's inputs.
/// </summary>
public sealed record InputsCached(IReadOnlyList<string> Cids) : ProviderMessage;

/// <summary>A lease by job id and epoch.</summary>
public sealed record LeaseRef(string JobId, long Epoch);

public sealed record Heartbeat(DateTimeOffset At) : ProviderMessage;

public sealed record LeaseAccepted(string JobId, long Epoch) : ProviderMessage;

public sealed record JobStarted(string JobId, long Epoch) : ProviderMessage;

/// <summary>Output of a running job. Seq starts at 0 for each lease and increases by one per chunk.</summary>
public sealed record LogData(string JobId, long Epoch, long Seq, string Stream, string Text) : ProviderMessage;

/// <summary>
/// The end of a lease. Outcome is <c>succeeded</c>, <c>failed</c>, <c>timed_out</c> or <c>cancelled</c>;
/// Outputs were uploaded to the content store before this is sent. Receipt is the provider's EIP-712 signed receipt
/// of the attempt (docs/receipts.md) with its 0x-hex Signature; absent only when the spec did not parse.
/// </summary>
public sealed record JobFinished(
    string JobId,
    long Epoch,
    string Outcome,
    int? ExitCode,
    string? Reason,
    UsageView Usage,
    IReadOnlyList<OutputFileView> Outputs,
    Receipts.ReceiptView? Receipt = null,
    string? Signature = null) : ProviderMessage;

/// <summary>A message from the coordinator to a provider.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Welcome), "welcome")]
[JsonDerivedType(typeof(Assign), "assign")]
[JsonDerivedType(typeof(CancelLease), "cancel")]
[JsonDerivedType(typeof(Rejected), "rejected")]
public abstract record CoordinatorMessage;

/// <summary>
/// The coordinator accepted the connection. Receipts is the EIP-712 domain to sign receipts in; LastReceipt the hash
/// of the last receipt it accepted from this provider (zero for none), where the provider's chain continues.
/// </summary>
public sealed record Welcome(string Address, int HeartbeatSeconds, Receipts.ReceiptDomainView? Receipts = null, string? LastReceipt = null) : CoordinatorMessage;

/// <summary>
/// A lease: run this job. Spec is the provider view of the requester's spec (<c>ProviderSpec</c>: name, runtime,
/// resources, limits, network; no verify policy, price or placement), which the provider validates again and its
/// receipt hashes; Inputs are the job's inputs resolved to CIDs.
/// </summary>
public sealed record Assign(
    string JobId,
    int Attempt,
    long Epoch,
    string Spec,
    IReadOnlyList<InputView> Inputs) : CoordinatorMessage;

public sealed record CancelLease(string JobId, long Epoch, string Reason) : CoordinatorMessage;

/// <summary>The coordinator refused a provider message (stale epoch, not its lease, …).</summary>
public sealed record Rejected(string? JobId, long? Epoch, string Code, string Message) : CoordinatorMessage;
