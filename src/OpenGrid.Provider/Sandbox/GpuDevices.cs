namespace OpenGrid.Provider.Sandbox;

/// <summary>
/// The host's NVIDIA device nodes (<c>/dev/nvidia0…</c>, <c>nvidiactl</c>, <c>nvidia-uvm</c>, <c>nvidia-uvm-tools</c>,
/// <c>nvidia-modeset</c> and <c>/dev/nvidia-caps/*</c>): bound into the sandbox only for a job that asked for GPUs
/// (<see cref="SandboxLimits.GpuCount"/> &gt; 0). Every other job sees bwrap's minimal <c>/dev</c>.
/// </summary>
internal static class GpuDevices
{
    public static IReadOnlyList<string> Find(string devRoot)
    {
        if (!Directory.Exists(devRoot))
            return [];
        var nodes = Directory.EnumerateFiles(devRoot, "nvidia*").ToList();
        var caps = Path.Combine(devRoot, "nvidia-caps");
        if (Directory.Exists(caps))
            nodes.AddRange(Directory.EnumerateFiles(caps));
        return [.. nodes.Order(StringComparer.Ordinal)];
    }

    /// <summary><c>--dev-bind NODE NODE</c> for each node when the job wants GPUs; nothing otherwise.</summary>
    public static IReadOnlyList<string> BindArguments(int gpuCount, IReadOnlyList<string> nodes) =>
        gpuCount > 0 ? [.. nodes.SelectMany(node => new[] { "--dev-bind", node, node })] : [];
}
