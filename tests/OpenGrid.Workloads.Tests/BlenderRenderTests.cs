using OpenGrid.Testing;

namespace OpenGrid.Workloads.Tests;

/// <summary>examples/blender-render split into two frames: two jobs on the two providers, two real, different PNGs.</summary>
[Collection(nameof(WorkloadCollection))]
public sealed class BlenderRenderTests(WorkloadGrid grid) : IDisposable
{
    private readonly TempDir _dir = new("workloads-blender");

    [Fact]
    public async Task Two_frames_render_on_both_providers_and_gather_as_different_pngs_of_the_asked_size()
    {
        Prerequisites.Blender();
        var spec = SpecVariant.Write(_dir, "blender-render", "frames.yaml", ("frames: \"1-8\"", "frames: \"1,12\""));
        var frames = _dir.Combine("frames");

        var stdout = await grid.OgExpectingAsync(0, "submit", spec, "--follow", "-o", frames);

        var ids = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, ids.Length);
        var providers = new HashSet<string>();
        foreach (var id in ids)
        {
            var status = await grid.StatusAsync(id);
            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            providers.Add(status.GetProperty("provider").GetString()!);
        }

        Assert.Equal(2, providers.Count);
        Assert.Equal(["frame-0001.png", "frame-0012.png"], Directory.GetFiles(frames).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var first = PngImage.Decode(File.ReadAllBytes(Path.Combine(frames, "frame-0001.png")));
        var last = PngImage.Decode(File.ReadAllBytes(Path.Combine(frames, "frame-0012.png")));
        Assert.Equal((320, 240, 3), (first.Width, first.Height, first.Channels));
        Assert.Equal((320, 240, 3), (last.Width, last.Height, last.Channels));
        // The sphere has rolled and the cube turned: a visible change, not noise.
        var difference = first.MeanDifference(last);
        Assert.True(difference > 1.0, $"frames 1 and 12 differ by only {difference:0.00} per channel value");
    }

    public void Dispose() => _dir.Dispose();
}
