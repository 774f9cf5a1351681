using OpenGrid.Provider.Sandbox;

namespace OpenGrid.DishonestProvider;

/// <summary>
/// Runs the job in the real sandbox, then rewrites every file under /out with a plausible but wrong result: the
/// same text with one line changed. Exit code and usage are reported as the real run's, so only the outputs lie.
/// </summary>
internal sealed class FalsifyingSandbox(ISandbox inner) : ISandbox
{
    public SandboxEnforcement Enforcement => inner.Enforcement;

    public async Task<SandboxResult> RunAsync(SandboxRequest request, Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput, CancellationToken cancellationToken)
    {
        var result = await inner.RunAsync(request, onOutput, cancellationToken);
        foreach (var file in Directory.EnumerateFiles(request.OutDir, "*", SearchOption.AllDirectories))
            await File.AppendAllTextAsync(file, "\n(result adjusted)\n", cancellationToken);
        return result;
    }
}
