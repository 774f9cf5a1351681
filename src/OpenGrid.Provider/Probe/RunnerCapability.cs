using OpenGrid.Provider.Runners;

namespace OpenGrid.Provider.Probe;

/// <summary>
/// A capability a runner brings (docs/runners.md): present when the runner executable is in one of the directories of
/// <c>$OPENGRID_RUNNERS</c>, e.g. <c>llm-gguf</c> when <c>og-llm</c> is installed.
/// </summary>
public sealed class RunnerCapability(string capability, string runner) : ICapabilityDetector
{
    public string Name => capability;

    public Task<IReadOnlyList<string>> DetectAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(RunnerLocator.Has(runner) ? [capability] : []);
}
