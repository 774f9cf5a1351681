using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.Workloads.Tests;

/// <summary>examples/sdxl on CPU-only providers: og plan names, for each provider, the requirement it fails.</summary>
[Collection(nameof(WorkloadCollection))]
public sealed class SdxlPlanTests(WorkloadGrid grid)
{
    private static string Sdxl => Path.Combine(TestPaths.RepoRoot, "examples", "sdxl", "job.yaml");

    [Fact]
    public async Task Og_plan_says_each_provider_lacks_a_cuda_gpu()
    {
        var json = await grid.OgExpectingAsync(0, "plan", Sdxl, "--json");

        var plan = JsonDocument.Parse(json).RootElement;
        Assert.Equal(0, plan.GetProperty("feasible").GetArrayLength());
        var reasons = plan.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("reason").GetString()).ToList();
        Assert.Equal(["requires 'gpu:cuda': not offered", "requires 'gpu:cuda': not offered"], reasons);

        var text = await grid.OgExpectingAsync(2, "plan", Sdxl);
        Assert.Contains("requires 'gpu:cuda': not offered", text);
    }

    [Fact]
    public async Task Submitting_it_is_refused_with_what_each_provider_falls_short_of()
    {
        var (code, stdout, stderr) = await grid.OgAsync(WorkloadGrid.JobTimeout, "submit", Sdxl);

        Assert.True(code != 0, $"sdxl was accepted on CPU-only providers:\n{stdout}");
        Assert.Contains("no connected provider could ever run this job", stderr);
        // The coordinator's check of total capacity names the first shortfall of each provider (cpu on 2 cores).
        Assert.Matches("workloads-provider-1: (cpu|memory|disk|gpu)", stderr);
        Assert.Matches("workloads-provider-2: (cpu|memory|disk|gpu)", stderr);
    }
}
