using OpenGrid.Core.Content;

namespace OpenGrid.Core.Specs;

/// <summary>A parsed, validated job spec v1 (<c>apiVersion: opengrid/v1</c>, <c>kind: Job</c>). See docs/job-spec.md.</summary>
public sealed record JobSpec
{
    public const string ApiVersionV1 = "opengrid/v1";

    public required string Name { get; init; }
    public required ProcessRuntime Runtime { get; init; }
    public IReadOnlyList<InputSpec> Inputs { get; init; } = [];
    public IReadOnlyList<OutputSpec> Outputs { get; init; } = [];
    public ResourceRequest Resources { get; init; } = ResourceRequest.Default;
    public JobLimits Limits { get; init; } = JobLimits.Default;
    public NetworkPolicy Network { get; init; } = NetworkPolicy.None;
    public PriceCap Price { get; init; } = PriceCap.Default;
    public VerifyPolicy Verify { get; init; } = VerifyPolicy.Single;
    public PlacementPolicy Placement { get; init; } = PlacementPolicy.Default;
    /// <summary>Provider capabilities the job needs, e.g. <c>python3-torch</c>, <c>blender</c>.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];
    /// <summary>One job per frame, expanded by <c>og submit</c>; null for a single job.</summary>
    public FrameSplit? Split { get; init; }
}

/// <summary>The <c>process</c> runtime: argv = command ++ args, run in the sandbox with the given environment.</summary>
public sealed record ProcessRuntime(
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Env)
{
    public IEnumerable<string> Argv => Command.Concat(Args);
}

/// <summary>An input file placed at <see cref="Path"/> (relative to the work dir). Exactly one of From (a local
/// file, uploaded at submit) and Cid is set.</summary>
public sealed record InputSpec(string Path, string? From, Cid? Cid);

/// <summary>How outputs are compared across replicas (used by verification).</summary>
public enum CompareMode { Exact, Tolerance, Image, Text }

/// <summary>An output path under <c>/out</c> and its comparator.</summary>
public sealed record OutputSpec(string Path, CompareMode Compare);

/// <summary>Resources a job asks for. CPU in millicores, sizes in bytes.</summary>
public sealed record ResourceRequest(long CpuMillis, long MemoryBytes, long DiskBytes, GpuRequest Gpu)
{
    public static readonly ResourceRequest Default = new(1000, 512L << 20, 1L << 30, GpuRequest.None);
}

/// <summary>GPUs a job asks for; Model null means any model; MemoryBytes is per GPU (0 = any).</summary>
public sealed record GpuRequest(int Count, string? Model, long MemoryBytes)
{
    public static readonly GpuRequest None = new(0, null, 0);
}

/// <summary>Wall-clock timeout and process-count cap enforced by the sandbox.</summary>
public sealed record JobLimits(TimeSpan Timeout, int Processes)
{
    public static readonly JobLimits Default = new(TimeSpan.FromMinutes(10), 256);
}

/// <summary>Network egress. v1 supports only <c>none</c>; allow-lists come with a later runtime.</summary>
public sealed record NetworkPolicy(string Egress)
{
    public static readonly NetworkPolicy None = new("none");
}

/// <summary>Price cap: max price per hour in token base units (6 decimals) and the settlement mode.</summary>
public sealed record PriceCap(TokenAmount MaxPerHour, string Mode)
{
    public static readonly PriceCap Default = new(TokenAmount.FromBaseUnits(1_000_000), "milestone");
}

/// <summary>
/// Replication: run on <see cref="Replicas"/> distinct providers, succeed when <see cref="Quorum"/> agree. With
/// <see cref="Adaptive"/> (the default) a provider with a long streak of verified results for the job's class may run
/// it alone (BOINC-style adaptive replication); false forces full replication. <see cref="DonateAsCanary"/> lets the
/// coordinator keep the job (its runtime, inputs and agreed outputs) as a known-answer canary once reputable providers
/// agree on it: opt-in, because a canary re-runs the job on more providers, who then see it.
/// </summary>
public sealed record VerifyPolicy(int Replicas, int Quorum, bool Adaptive = true, bool DonateAsCanary = false)
{
    public static readonly VerifyPolicy Single = new(1, 1);
}

/// <summary>
/// Where a job may be placed: the least provider reputation (0..1, default 0), the region (null = any), and how long
/// after submission it may wait to start before it fails (null = no limit).
/// </summary>
public sealed record PlacementPolicy(double MinReputation, string? Region, TimeSpan? MaxStartDelay)
{
    public static readonly PlacementPolicy Default = new(0, null, null);
}
