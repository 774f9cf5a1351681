namespace OpenGrid.Protocol.Api;

// Wire types of the REST API under /v1. Field names are camelCase on the wire (see OpenGridJson).
// Checklist when adding a type: add it here, register it in OpenGridJsonContext, document it in docs/api.md.

/// <summary>Step 1 of sign-in: ask for a challenge to sign with the account's key.</summary>
public sealed record ChallengeRequest(string Address);

/// <summary>The text to sign (EIP-191 personal_sign) and when it stops being accepted.</summary>
public sealed record ChallengeResponse(string Challenge, DateTimeOffset ExpiresAt);

/// <summary>Step 2 of sign-in: the challenge and its signature, 0x-prefixed 65-byte hex.</summary>
public sealed record TokenRequest(string Address, string Challenge, string Signature);

/// <summary>A bearer token for <c>Authorization: Bearer …</c>, valid until ExpiresAt.</summary>
public sealed record TokenResponse(string Token, string Address, DateTimeOffset ExpiresAt);

/// <summary>
/// Submit a job: the spec's YAML text, the CIDs of inputs the client uploaded (by input path), and — required when the
/// coordinator settles payments — the requester's signed authorization for the escrow to lease the job.
/// </summary>
public sealed record SubmitJobRequest(
    string Spec,
    string? FileName,
    IReadOnlyDictionary<string, string>? InputCids,
    JobAuthorizationView? Authorization = null);

/// <summary>A job as the API shows it. Times are UTC.</summary>
public sealed record JobView(
    string Id,
    string Name,
    string State,
    string Requester,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Provider,
    int? ExitCode,
    string? Reason,
    ResourcesView Resources,
    IReadOnlyList<InputView> Inputs,
    IReadOnlyList<AttemptView> Attempts,
    IReadOnlyList<OutputFileView> Outputs,
    string Kind = "requested",
    string? GroupOf = null,
    IReadOnlyList<ReplicaView>? Replicas = null);

/// <summary>
/// A member of a job's verification group: replica 0 is the job itself. Provider is the one that produced (or is
/// producing) its result; Verdict is <c>agreed</c> or <c>disagreed</c> once the quorum decided.
/// </summary>
public sealed record ReplicaView(int Replica, string JobId, string State, string? Provider, string? Verdict, IReadOnlyList<OutputFileView> Outputs);

public sealed record ResourcesView(long CpuMillis, long MemoryBytes, long DiskBytes, int Gpus, long TimeoutSeconds);

public sealed record InputView(string Path, string Cid);

/// <summary>One try at running a job on one provider, fenced by its epoch.</summary>
public sealed record AttemptView(
    int Attempt,
    long Epoch,
    string Provider,
    string State,
    DateTimeOffset AssignedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int? ExitCode,
    string? Reason,
    UsageView? Usage,
    string? PricePerHour = null);

/// <summary>Usage of an attempt: wall and CPU seconds, peak resident memory in bytes.</summary>
public sealed record UsageView(double WallSeconds, double CpuSeconds, long PeakMemoryBytes);

/// <summary>A file the job wrote under /out: its path relative to /out, its CID and size in bytes.</summary>
public sealed record OutputFileView(string Path, string Cid, long Size);

public sealed record JobListView(IReadOnlyList<JobView> Jobs);

public sealed record ContentPutResponse(string Cid, long Size);

/// <summary>A provider as the API shows it: hardware, capabilities, sandbox enforcement and what it runs now.</summary>
public sealed record ProviderView(
    string Address,
    string Name,
    string State,
    DateTimeOffset LastSeen,
    HardwareView Hardware,
    IReadOnlyList<string> Capabilities,
    SandboxView Sandbox,
    string? CurrentJob,
    OfferTermsView? Terms = null,
    IReadOnlyList<string>? CurrentJobs = null,
    double? Reputation = null,
    LeasedView? Leased = null);

/// <summary>What a provider's live leases hold now, summed from their jobs' requests: its utilisation.</summary>
public sealed record LeasedView(long CpuMillis, long MemoryBytes, long DiskBytes, int Gpus);

/// <summary>A provider's reputation now (0..1, neutral 0.5) and the trust events that moved it, newest first.</summary>
public sealed record ReputationView(string Address, double Reputation, IReadOnlyList<TrustEventView> Events);

/// <summary>One trust event: <c>verified_result</c>, <c>disagreed</c>, <c>canary_passed</c>, <c>canary_failed</c>, <c>timed_out</c>, <c>lease_lost</c>.</summary>
public sealed record TrustEventView(string Event, string JobId, string JobClass, double ScoreAfter, DateTimeOffset At);

public sealed record ProviderListView(IReadOnlyList<ProviderView> Providers);

public sealed record HardwareView(
    string CpuModel,
    int Cores,
    long MemoryBytes,
    long DiskBytes,
    IReadOnlyList<GpuView> Gpus);

public sealed record GpuView(string Model, long MemoryBytes, string? Driver, string? Cuda);

/// <summary>What the provider's sandbox enforces: runtime, cgroup hierarchy (v1, v2, none) and mechanisms.</summary>
public sealed record SandboxView(string Runtime, string CgroupVersion, IReadOnlyList<string> Enforced);

/// <summary>A piece of a job's output. Seq orders chunks within one job; Stream is stdout or stderr.</summary>
public sealed record LogChunkView(long Seq, int Attempt, string Stream, string Text, DateTimeOffset At);

/// <summary>The last event of a log stream: the job reached a terminal state.</summary>
public sealed record JobEndView(string State, int? ExitCode, string? Reason);

/// <summary>Coordinator facts for clients: version and limits.</summary>
public sealed record InfoView(string Version, long MaxContentBytes, string ApiVersion);

/// <summary>Stop (true) or resume (false) taking new leases. Sent by the provider's own account.</summary>
public sealed record DrainRequest(bool Draining);

/// <summary>A provider's drain state and how many leases it still runs.</summary>
public sealed record DrainView(string Address, bool Draining, int ActiveLeases);

/// <summary>
/// What a provider sells and on which terms: its region, the longest job it takes (seconds), and its prices per
/// unit-hour as decimal USDC strings with 6 decimals (<c>"0.020000"</c>).
/// </summary>
public sealed record OfferTermsView(string Region, long MaxJobSeconds, PriceListView Prices);

/// <summary>Prices per unit-hour as decimal strings: CPU core, memory GiB, disk GiB, GPU by model and default.</summary>
public sealed record PriceListView(
    string PerCpuCoreHour,
    string PerMemoryGiBHour,
    string PerDiskGiBHour,
    IReadOnlyDictionary<string, string> PerGpuHourByModel,
    string PerGpuHourDefault);

/// <summary>Ask what a spec would cost and who could run it, without submitting it.</summary>
public sealed record PlanRequest(string Spec, string? FileName);

/// <summary>
/// The answer to a plan: the estimated cost range for the job's full timeout (decimal USDC; null when nobody can
/// run it), the providers that could take it with their price, and for every other provider the first requirement
/// it fails.
/// </summary>
public sealed record PlanView(
    string Job,
    string? CostMin,
    string? CostMax,
    IReadOnlyList<PlanProviderView> Feasible,
    IReadOnlyList<PlanRejectionView> Rejected);

public sealed record PlanProviderView(string Provider, string Name, string PricePerHour, string CostForTimeout);

public sealed record PlanRejectionView(string Provider, string Name, string Reason);

/// <summary>Order book depth per resource class, and recent clearing prices.</summary>
public sealed record MarketView(IReadOnlyList<MarketClassView> Classes, IReadOnlyList<ClearingView> RecentClearing);

/// <summary>
/// One resource class (<c>cpu</c>, or <c>gpu:&lt;model&gt;</c>): jobs waiting (bids), providers offering (asks), their
/// free capacity, and the lowest ask per core-hour (or GPU-hour) on offer.
/// </summary>
public sealed record MarketClassView(
    string Class,
    int Bids,
    int Offers,
    long FreeCpuMillis,
    long FreeMemoryBytes,
    int FreeGpus,
    string? LowestAsk);

/// <summary>A recent match: its class, the price per hour the provider is paid, and when.</summary>
public sealed record ClearingView(string Class, string JobId, string Provider, string PricePerHour, DateTimeOffset At);

/// <summary>
/// Where this coordinator settles payments (<c>GET /v1/chain</c>): the chain id, a JSON-RPC URL clients may use, the
/// contract addresses, the coordinator's own account (the escrow operator), the token's decimals (6), the
/// ReceiptVerifier that is the verifyingContract of the receipts' EIP-712 domain (absent from coordinators older than
/// it), and the replicas a verified job may launch beyond <c>verify.replicas</c> (<c>Coordinator:Trust:MaxExtraReplicas</c>),
/// which a job's worst case and so its authorization must cover.
/// </summary>
public sealed record ChainView(
    long ChainId,
    string RpcUrl,
    string Token,
    string Escrow,
    string Registry,
    string Reputation,
    string Operator,
    int TokenDecimals,
    string? ReceiptVerifier = null,
    int MaxExtraReplicas = 0);

/// <summary>
/// An account's money (<c>GET /v1/balance</c>), as decimal strings with 6 decimals: tokens in its wallet, escrow
/// available (withdrawable) and locked in open leases, provider earnings waiting to be withdrawn, and the registry
/// stake (bonded, and waiting to unbond).
/// </summary>
public sealed record BalanceView(
    string Address,
    string Wallet,
    string Available,
    string Locked,
    string Earnings,
    string Bonded,
    string Unbonding);
