using System.Diagnostics;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

public sealed class SandboxSweepTests : IDisposable
{
    private readonly SandboxHarness harness = new();

    [Fact]
    public async Task Runs_left_behind_by_a_provider_that_died_are_swept_and_live_ones_kept()
    {
        var memoryParent = Path.Combine(new SandboxOptions().CgroupRoot, "memory", new SandboxOptions().CgroupParent);
        Assert.True(Directory.Exists(memoryParent), $"this test needs the v1 memory hierarchy at {memoryParent}");
        var deadPid = await PidOfAnExitedProcessAsync();
        var orphanCgroup = Directory.CreateDirectory(Path.Combine(memoryParent, $"run-{RunOwner.PidNamespace}-{deadPid}-test"));
        var liveCgroup = Directory.CreateDirectory(Path.Combine(memoryParent, $"run-{RunOwner.Tag}test"));
        var orphanScratch = Directory.CreateTempSubdirectory($"opengrid-sandbox-{RunOwner.PidNamespace}-{deadPid}-");
        try
        {
            var sandbox = new BubblewrapSandbox(new SandboxOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger<BubblewrapSandbox>.Instance);

            var result = await sandbox.RunAsync(
                new SandboxRequest(harness.WorkDir, harness.OutDir, ["/usr/bin/true"], new Dictionary<string, string>(), SandboxHarness.Roomy),
                harness.Output.OnOutputAsync,
                CancellationToken.None);

            Assert.Equal(SandboxOutcome.Exited, result.Outcome);
            Assert.False(Directory.Exists(orphanCgroup.FullName), "the dead provider's cgroup is still there");
            Assert.False(Directory.Exists(orphanScratch.FullName), "the dead provider's scratch dir is still there");
            Assert.True(Directory.Exists(liveCgroup.FullName), "a live provider's cgroup was removed");
        }
        finally
        {
            foreach (var directory in new[] { orphanCgroup, liveCgroup, orphanScratch }.Where(d => Directory.Exists(d.FullName)))
            {
                directory.Delete();
            }
        }
    }

    private static async Task<int> PidOfAnExitedProcessAsync()
    {
        using var process = Process.Start("/usr/bin/true");
        await process.WaitForExitAsync();
        return process.Id;
    }

    public void Dispose() => harness.Dispose();
}
