namespace OpenGrid.Protocol.Specs;

/// <summary>
/// Every limit the job spec v1 parser enforces, in one place. docs/job-spec.md lists the same numbers:
/// change both together.
/// </summary>
public static class JobSpecLimits
{
    // The text itself (untrusted input).
    public const int MaxTextBytes = 64 * 1024;
    public const int MaxLines = 2000;
    public const int MaxNestingDepth = 32;

    public const int MaxNameLength = 63;

    // runtime
    public const int MaxArgvItems = 64;
    public const int MaxArgLength = 4096;
    public const int MaxEnvEntries = 128;
    public const int MaxEnvNameLength = 128;
    public const int MaxEnvValueLength = 4096;
    public const string ReservedEnvPrefix = "OG_";

    // inputs and outputs
    public const int MaxInputs = 256;
    public const int MaxOutputs = 256;
    public const int MaxPathLength = 255;
    public const int MaxFromLength = 4096;

    // resources
    public const long MaxCpuMillicores = 1024 * 1000;
    public const long MinMemoryBytes = 4L << 20;
    public const long MaxMemoryBytes = 16L << 40;
    public const long MaxDiskBytes = 64L << 40;
    public const int MaxGpuCount = 16;
    public const int MaxGpuModelLength = 64;
    public const long MaxGpuMemoryBytes = 1L << 40;

    // limits
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(7);
    public const int MinProcesses = 1;
    public const int MaxProcesses = 65536;

    // verify
    public const int MaxReplicas = 16;

    // requires
    public const int MaxRequires = 32;
    public const int MaxCapabilityLength = 64;

    // split
    public const int MaxSplitFrames = 1000;
    public const int MaxFrameNumber = 1_048_574; // Blender's MAXFRAME

    // placement
    public const int MaxReputationDecimals = 3;
    public const int MaxRegionLength = 32;
    public static readonly TimeSpan MinStartDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxStartDelay = TimeSpan.FromDays(7);
}
