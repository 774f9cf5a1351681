using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.Workloads.Tests;

/// <summary>
/// A real grid (coordinator and two `og provider start` agents, bubblewrap sandbox) for the workload tests; the
/// agents have og-llm and og-onnx installed through <c>$OPENGRID_RUNNERS</c>, as <c>./og</c> sets them up.
/// </summary>
public sealed class WorkloadGrid() : TestGrid("workloads", [], new Dictionary<string, string>
{
    ["OPENGRID_RUNNERS"] = RunnerDirectory("OpenGrid.Runners.Llm") + ":" + RunnerDirectory("OpenGrid.Runners.Onnx"),
})
{
    /// <summary>Where the build puts a runner project's executable (built for linux-x64).</summary>
    public static string RunnerDirectory(string project) =>
        Path.Combine(TestPaths.RepoRoot, "artifacts", "bin", project, TestPaths.Configuration + "_linux-x64");

    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Runs og and fails the test, with its output, unless it exits with <paramref name="expected"/>.</summary>
    public async Task<string> OgExpectingAsync(int expected, params string[] args)
    {
        var (code, stdout, stderr) = await OgAsync(JobTimeout, args);
        Assert.True(code == expected, $"og {string.Join(' ', args)} exited {code}, expected {expected}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return stdout;
    }

    /// <summary>The job's status as <c>og status --json</c> prints it.</summary>
    public async Task<JsonElement> StatusAsync(string id) => JsonDocument.Parse(await OgExpectingAsync(0, "status", id, "--json")).RootElement;
}

[CollectionDefinition(nameof(WorkloadCollection))]
public sealed class WorkloadCollection : ICollectionFixture<WorkloadGrid>;
