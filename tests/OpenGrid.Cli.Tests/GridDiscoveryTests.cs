using OpenGrid.Cli.Grid;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

/// <summary>--coordinator, then $OPENGRID_COORDINATOR, then ./.opengrid/dev/grid.json, then $OPENGRID_HOME/dev-grid.json.</summary>
public sealed class GridDiscoveryTests : IDisposable
{
    // No Linux pid is this large (pid_max is at most 2^22), so a grid file naming it belongs to a grid that is gone.
    private const int DeadPid = int.MaxValue;

    private readonly TempDir _dir = new("og-discovery");
    private readonly OgRunner _og;

    public GridDiscoveryTests() => _og = new OgRunner(_dir.Combine("work"), _dir.Combine("home"));

    [Fact]
    public void The_option_wins_over_everything()
    {
        WriteLocalGrid("http://local-grid:1/", Environment.ProcessId);
        WriteHomeGrid("http://home-grid:1/", Environment.ProcessId);
        _og.WithVariable(CliEnvironment.CoordinatorVariable, "http://from-env:1");

        var found = GridDiscovery.Resolve("http://from-option:1", _og.Environment);

        Assert.Equal(("http://from-option:1/", "--coordinator"), (found.Url.ToString(), found.Source));
    }

    [Fact]
    public void The_environment_variable_wins_over_grid_files()
    {
        WriteLocalGrid("http://local-grid:1/", Environment.ProcessId);
        _og.WithVariable(CliEnvironment.CoordinatorVariable, "http://from-env:1/base");

        var found = GridDiscovery.Resolve(null, _og.Environment);

        Assert.Equal("http://from-env:1/base/", found.Url.ToString());
    }

    [Fact]
    public void The_grid_file_in_the_current_directory_wins_over_the_one_in_home()
    {
        WriteLocalGrid("http://local-grid:1/", Environment.ProcessId);
        WriteHomeGrid("http://home-grid:1/", Environment.ProcessId);

        var found = GridDiscovery.Resolve(null, _og.Environment);

        Assert.Equal("http://local-grid:1/", found.Url.ToString());
    }

    [Fact]
    public void The_grid_file_in_home_is_used_when_there_is_none_here()
    {
        WriteHomeGrid("http://home-grid:1/", Environment.ProcessId);

        var found = GridDiscovery.Resolve(null, _og.Environment);

        Assert.Equal("http://home-grid:1/", found.Url.ToString());
    }

    [Fact]
    public void A_grid_file_whose_coordinator_is_gone_is_skipped()
    {
        WriteLocalGrid("http://stale-grid:1/", DeadPid);
        WriteHomeGrid("http://home-grid:1/", Environment.ProcessId);

        var found = GridDiscovery.Resolve(null, _og.Environment);

        Assert.Equal("http://home-grid:1/", found.Url.ToString());
    }

    [Fact]
    public async Task Without_any_coordinator_a_command_says_how_to_start_one_and_exits_5()
    {
        WriteLocalGrid("http://stale-grid:1/", DeadPid);

        var result = await _og.RunAsync("jobs");

        Assert.Equal(
            (5, "og: no coordinator: start one with ./og dev or pass --coordinator URL\n"),
            (result.ExitCode, result.Stderr.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task A_coordinator_url_that_is_not_http_is_invalid_input()
    {
        var result = await _og.RunAsync("jobs", "--coordinator", "ftp://x");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--coordinator: 'ftp://x' is not an http:// or https:// URL", result.Stderr);
    }

    private void WriteLocalGrid(string url, int coordinatorPid) =>
        Grid(url, coordinatorPid).Write(Path.Combine(_og.CurrentDirectory, ".opengrid", "dev", GridFile.FileName));

    private void WriteHomeGrid(string url, int coordinatorPid) =>
        Grid(url, coordinatorPid).Write(Path.Combine(_og.Home, GridFile.HomeFileName));

    private GridFile Grid(string url, int coordinatorPid) =>
        new(url, new Dictionary<string, int> { [GridFile.CoordinatorPid] = coordinatorPid }, DateTimeOffset.UnixEpoch, _dir.Path);

    public void Dispose() => _dir.Dispose();
}
