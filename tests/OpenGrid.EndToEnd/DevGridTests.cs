using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

/// <summary><c>og dev</c>, the README's first command, as a user runs it: a real grid, the hello job, Ctrl-C.</summary>
public sealed class DevGridTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Og_dev_runs_hello_end_to_end_keeps_the_grid_up_and_stops_every_child_on_ctrl_c()
    {
        using var dir = new TempDir("opengrid-e2e-dev");
        var data = dir.Combine("grid");
        await using var dev = TestProcess.StartDotnet("og dev", GridFixture.OgDll,
            ["dev", "--data", data, "--port", "0"],
            new Dictionary<string, string> { ["OPENGRID_HOME"] = dir.Combine("home") });

        await dev.WaitForLineAsync(l => l.Contains("Press Ctrl-C to stop the grid."), StartTimeout, "the dev grid's ready line");
        Assert.Contains("Hello from OpenGrid!", dev.Stdout);
        Assert.Contains("shouting: HELLO FROM OPENGRID!", dev.Stdout);
        Assert.Equal("Hello from OpenGrid!\nkernel: Linux\nshouting: HELLO FROM OPENGRID!\n",
            File.ReadAllText(Path.Combine(data, "hello-output", "hello.txt")));

        var grid = JsonDocument.Parse(File.ReadAllText(Path.Combine(data, "grid.json"))).RootElement;
        var children = grid.GetProperty("pids").EnumerateObject()
            .Where(p => p.Name != "og").Select(p => p.Value.GetInt32()).ToList();
        Assert.Equal(3, children.Count);
        Assert.All(children, pid => Assert.True(Directory.Exists($"/proc/{pid}"), $"child {pid} is not running"));

        dev.Interrupt();
        Assert.Equal(0, await dev.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(children, pid => Assert.False(IsAlive(pid), $"og dev exited but its child {pid} is still running"));
        Assert.False(File.Exists(Path.Combine(data, "grid.json")), "grid.json should be removed on a clean stop");
    }

    /// <summary>Alive and not a zombie waiting to be reaped.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
