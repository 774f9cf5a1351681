using OpenGrid.Cli.Grid;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

/// <summary>What og dev decides before it starts anything. Starting a real grid is the end-to-end suite's job.</summary>
public sealed class DevCommandTests : IDisposable
{
    private readonly TempDir _dir = new("og-dev");
    private readonly OgRunner _og;

    public DevCommandTests() => _og = new OgRunner(_dir.Path, _dir.Combine("home"));

    [Fact]
    public async Task A_second_grid_on_the_same_data_folder_is_refused_with_exit_6()
    {
        var data = _dir.Combine("grid");
        new GridFile("http://127.0.0.1:5000/", new Dictionary<string, int> { [GridFile.SupervisorPid] = Environment.ProcessId },
            DateTimeOffset.UnixEpoch, data).Write(Path.Combine(data, GridFile.FileName));

        var result = await _og.RunAsync("dev", "--data", "grid");

        Assert.Equal(6, result.ExitCode);
        Assert.StartsWith($"og: a dev grid is already running on {data} (coordinator http://127.0.0.1:5000/, pids og {Environment.ProcessId})",
            result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_port_out_of_range_is_invalid_input()
    {
        var result = await _og.RunAsync("dev", "--port", "70000");

        Assert.Equal((2, "og: --port: 70000 is not a TCP port (1-65535, or 0 for a free one)\n"),
            (result.ExitCode, result.Stderr.ReplaceLineEndings("\n")));
    }

    public void Dispose() => _dir.Dispose();
}
