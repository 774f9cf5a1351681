namespace OpenGrid.Provider.Probe;

/// <summary>
/// Finds out whether this machine can run one kind of work (<c>blender</c>, <c>python3-torch</c>, <c>llm-gguf</c>…)
/// and returns the capabilities to advertise: none when it cannot. Detectors run concurrently at agent start under
/// a timeout (<see cref="CapabilityProbe"/>); one that throws or hangs is logged and its capabilities are absent.
/// </summary>
public interface ICapabilityDetector
{
    /// <summary>What it looks for, for the log (usually the capability's name).</summary>
    string Name { get; }

    Task<IReadOnlyList<string>> DetectAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The capabilities every agent looks for. Add a runtime here with one line (e.g. a runner's
/// <c>new CommandCapability("onnx", …)</c> or its own <see cref="ICapabilityDetector"/>); GPU capabilities come from
/// the GPU probe (<see cref="GpuCapabilities"/>).
/// </summary>
public static class CapabilityDetectors
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> puts its idx files.</summary>
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    public static IReadOnlyList<ICapabilityDetector> Default { get; } =
    [
        new CommandCapability("python3", "/usr/bin/python3", ["--version"]),
        new CommandCapability("python3-torch", "/usr/bin/python3", ["-c", "import torch"]),
        new CommandCapability("blender", "blender", ["--version"]),
        new FileCapability("dataset-fashion-mnist", Path.Combine(FashionMnistFolder, "train-images-idx3-ubyte.gz")),
        new RunnerCapability("llm-gguf", Runners.RunnerLocator.Llm),
        new RunnerCapability("onnx", Runners.RunnerLocator.Onnx),
    ];
}
