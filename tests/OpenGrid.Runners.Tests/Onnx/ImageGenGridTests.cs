using System.Text.Json;
using System.Text.RegularExpressions;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Onnx;

/// <summary>The image-gen example through the whole grid: og submit uploads the decoder, both providers (two
/// replicas, quorum 2) run og-onnx in their sandboxes, the coordinator compares their PNGs as images, and og get
/// downloads the pictures by CID.</summary>
public sealed partial class ImageGenGridTests(OnnxGridFixture grid) : IClassFixture<OnnxGridFixture>, IDisposable
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(180);
    private readonly TempDir dir = new("og-onnx-grid");

    [Fact]
    public async Task The_image_gen_example_runs_on_two_replicas_that_agree_and_its_pngs_download()
    {
        var spec = Path.Combine(TestPaths.RepoRoot, "examples", "image-gen", "job.yaml");

        var (code, stdout, stderr) = await grid.OgAsync(JobTimeout, "submit", spec, "--follow");

        Assert.True(code == 0, $"og submit --follow exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("/out/images/image-007.png", stdout);
        var id = JobId().Matches(stdout + "\n" + stderr).Last().Value;
        var (statusCode, json, statusError) = await grid.OgAsync(JobTimeout, "status", id, "--json");
        Assert.True(statusCode == 0, $"og status exited {statusCode}: {statusError}");
        var job = JsonDocument.Parse(json).RootElement;
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var replicas = job.GetProperty("replicas").EnumerateArray().ToList();
        Assert.Equal(2, replicas.Count);
        Assert.All(replicas, r => Assert.Equal("agreed", r.GetProperty("verdict").GetString()));
        Assert.Equal(2, replicas.Select(r => r.GetProperty("provider").GetString()).Distinct().Count());

        var (getCode, getOut, getErr) = await grid.OgAsync(JobTimeout, "get", id, "-o", dir.Combine("got"));
        Assert.True(getCode == 0, $"og get exited {getCode}\n{getOut}\n{getErr}");
        var expected = await RunBareAsync(spec);
        for (var i = 0; i < 8; i++)
        {
            var name = $"image-00{i}.png";
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(expected, name)), await File.ReadAllBytesAsync(dir.Combine("got", "images", name)));
        }

        Assert.Contains("\"label\": \"sneaker\"", await File.ReadAllTextAsync(dir.Combine("got", "usage.json")));
    }

    public void Dispose() => dir.Dispose();

    /// <summary>The example's own command line run outside the grid, /out mapped to a local folder: what the
    /// providers should have drawn.</summary>
    private async Task<string> RunBareAsync(string specPath)
    {
        var spec = JobSpecParser.Parse(await File.ReadAllTextAsync(specPath), specPath).Spec!;
        Assert.Equal(["og-onnx"], spec.Runtime.Command);
        var output = dir.Combine("bare");
        var args = spec.Runtime.Args.Select(a => a.StartsWith("/out/", StringComparison.Ordinal) ? Path.Combine(output, a[5..]) : a);
        OnnxRunnerBuild.CopyDecoder(dir.Path);
        await using var process = TestProcess.StartDotnet("og-onnx", OnnxRunnerBuild.Dll, args, workingDirectory: dir.Path);
        Assert.True(await process.WaitForExitAsync(JobTimeout) == 0, process.Stderr);
        return Path.Combine(output, "images");
    }

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex JobId();
}
