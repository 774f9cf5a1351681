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
    /// <summary>The attempt that currently holds (or last held) the job's lease.</summary>
    public Attempt? CurrentAttempt => Attempts.Count == 0 ? null : Attempts[^1];
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
