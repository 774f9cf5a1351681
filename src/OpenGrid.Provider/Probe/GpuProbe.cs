using OpenGrid.Protocol.Api;

namespace OpenGrid.Provider.Probe;

/// <summary>
/// Detects NVIDIA GPUs: model, memory, driver and CUDA version from <c>nvidia-smi</c> when it is installed; else the
/// models the kernel driver lists under <c>/proc/driver/nvidia/gpus</c> with the driver version of
/// <c>/proc/driver/nvidia/version</c> (no memory, no CUDA); else none. Without the driver a GPU is not usable, so PCI
/// devices alone do not count. Failures of nvidia-smi throw <see cref="ProbeFailedException"/>.
/// </summary>
/// <param name="smiCandidates">Where nvidia-smi may be installed; the first that exists is used.</param>
/// <param name="driverRoot">The driver's proc folder, normally <c>/proc/driver/nvidia</c>.</param>
public sealed class GpuProbe(IReadOnlyList<string> smiCandidates, string driverRoot)
{
    public static GpuProbe Host { get; } = new(["/usr/bin/nvidia-smi", "/usr/local/bin/nvidia-smi"], "/proc/driver/nvidia");

    private static readonly TimeSpan SmiTimeout = TimeSpan.FromSeconds(15);

    public async Task<IReadOnlyList<GpuView>> DetectAsync(CancellationToken cancellationToken)
    {
        if (smiCandidates.FirstOrDefault(File.Exists) is not { } smi)
            return DriverGpus();

        var query = await ProbeProcess.RunAsync(smi, NvidiaSmiOutput.QueryArguments, SmiTimeout, cancellationToken).ConfigureAwait(false);
        if (query.ExitCode != 0)
        {
            // nvidia-smi without a loaded driver exits non-zero ("couldn't communicate with the NVIDIA driver").
            throw new ProbeFailedException($"nvidia-smi exited with status {query.ExitCode}: {FirstLine(query.Stdout)}");
        }

        var banner = await ProbeProcess.RunAsync(smi, [], SmiTimeout, cancellationToken).ConfigureAwait(false);
        return NvidiaSmiOutput.ParseQuery(query.Stdout, NvidiaSmiOutput.ParseCudaVersion(banner.Stdout));
    }

    /// <summary>GPUs the NVIDIA kernel driver lists, one folder each with a <c>Model:</c> line.</summary>
    internal IReadOnlyList<GpuView> DriverGpus()
    {
        var gpusFolder = Path.Combine(driverRoot, "gpus");
        if (!Directory.Exists(gpusFolder))
            return [];
        var versionFile = Path.Combine(driverRoot, "version");
        var driver = File.Exists(versionFile) ? NvidiaSmiOutput.ParseDriverVersion(File.ReadAllText(versionFile)) : null;
        var gpus = new List<GpuView>();
        foreach (var dir in Directory.EnumerateDirectories(gpusFolder).Order(StringComparer.Ordinal))
        {
            var info = Path.Combine(dir, "information");
            if (!File.Exists(info))
                continue;
            var model = File.ReadLines(info).FirstOrDefault(l => l.StartsWith("Model:", StringComparison.Ordinal));
            gpus.Add(new GpuView(model?["Model:".Length..].Trim() ?? "NVIDIA GPU", 0, driver, null));
        }

        return gpus;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

/// <summary>The capabilities GPUs give: <c>gpu:&lt;model slug&gt;</c> per model, and <c>gpu:cuda</c> when the driver speaks CUDA.</summary>
public static class GpuCapabilities
{
    public const string Cuda = "gpu:cuda";
    private const string Prefix = "gpu:";

    // A capability is at most 64 characters (JobSpecLimits.MaxCapabilityLength).
    private const int MaxSlugLength = 64 - 4;

    public static IReadOnlyList<string> For(IReadOnlyList<GpuView> gpus)
    {
        var capabilities = gpus.Select(gpu => Slug(gpu.Model)).Where(slug => slug.Length > 0).Select(slug => Prefix + slug).ToList();
        if (gpus.Any(gpu => gpu.Cuda is not null))
            capabilities.Add(Cuda);
        return [.. capabilities.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Lower-case letters and digits, every other run of characters one '-': "NVIDIA H100 80GB HBM3" → "nvidia-h100-80gb-hbm3".</summary>
    public static string Slug(string model)
    {
        var slug = new System.Text.StringBuilder();
        foreach (var c in model.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
                slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-')
                slug.Append('-');
        }

        var text = slug.ToString().TrimEnd('-');
        return text.Length <= MaxSlugLength ? text : text[..MaxSlugLength].TrimEnd('-');
    }
}
