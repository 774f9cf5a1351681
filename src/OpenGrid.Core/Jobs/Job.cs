using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Jobs;

/// <summary>A submitted job as the coordinator records it. SpecText is the requester's YAML, kept verbatim.</summary>
public sealed record Job(
    JobId Id,
    Address Requester,
    string Name,
    string SpecText,
    JobSpec Spec,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int? ExitCode,
    string? Reason,
    IReadOnlyList<ResolvedInput> Inputs,
    IReadOnlyList<Attempt> Attempts,
    IReadOnlyList<OutputFile> Outputs)
{
    /// <summary>
    /// The job this one is a replica of (null for a job a requester submitted, or a canary's replica 0). Replicas are
    /// jobs of their own — own leases, attempts and retries — hidden from the requester's lists and shown under their
    /// group. A canary's replicas are of kind <see cref="JobKind.Canary"/> too.
    /// </summary>
    public JobId? GroupOf { get; init; }

    /// <summary>Index in its verification group: 0 for the job the requester submitted, 1.. for its replicas.</summary>
    public int Replica { get; init; }

    /// <summary>Why the job exists: submitted by a requester, a replica for verification, or a canary.</summary>
    public JobKind Kind { get; init; } = JobKind.Requested;

    /// <summary>
    /// How many replicas the group runs, decided when replica 0 is first leased (adaptive replication); null until
    /// then, and for jobs that are not verified by replication.
    /// </summary>
    public int? PlannedReplicas { get; init; }

    /// <summary>
    /// What the verification verdict said of this member's result: <c>agreed</c> (part of the accepted quorum) or
    /// <c>disagreed</c>; null before a verdict and for members without a result.
    /// </summary>
    public string? Verdict { get; init; }

    /// <summary>
    /// The requester's signed authorization for the escrow to lease this job (null with payments off); a canary's is
    /// signed by its canary account. Replicas carry their group's: they lease under the job the requester submitted.
    /// </summary>
    public JobAuthorization? Authorization { get; init; }

    /// <summary>The attempt that currently holds (or last held) the job's lease.</summary>
    public Attempt? CurrentAttempt => Attempts.Count == 0 ? null : Attempts[^1];
}

/// <summary>Why a job exists.</summary>
public enum JobKind
{
    /// <summary>Submitted by its requester.</summary>
    Requested,

    /// <summary>A copy of a requested job run on another provider, so results can be compared.</summary>
    Replica,

    /// <summary>A known-answer job the coordinator injects to test a provider's honesty, or one of its replicas.</summary>
    Canary,
}

/// <summary>An input file resolved to content: its path in the work dir and its CID.</summary>
public sealed record ResolvedInput(string Path, Cid Cid);

/// <summary>A file the job wrote under /out: path relative to /out, CID and size in bytes.</summary>
public sealed record OutputFile(string Path, Cid Cid, long Size);

/// <summary>Resources an attempt used: wall and CPU time, peak resident memory in bytes.</summary>
public sealed record Usage(TimeSpan Wall, TimeSpan Cpu, long PeakMemoryBytes);

/// <summary>
/// One try at running a job on one provider. Epoch fences it: reports carrying another epoch are stale.
/// PricePerHour is the provider's ask the match cleared at.
/// </summary>
public sealed record Attempt(
    int Number,
    long Epoch,
    Address Provider,
    JobState State,
    DateTimeOffset AssignedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int? ExitCode,
    string? Reason,
    Usage? Usage,
    TokenAmount? PricePerHour = null);
