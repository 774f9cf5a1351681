using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

/// <summary>A provider killed with SIGKILL mid-job: the job fails with a clear reason (rescheduling comes later).</summary>
public sealed class ProviderCrashTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly GridFixture _grid = new();

    public Task InitializeAsync() => _grid.InitializeAsync();

    public Task DisposeAsync() => _grid.DisposeAsync();

    [Fact]
    public async Task Killing_the_provider_mid_job_fails_the_job_with_provider_disconnected()
    {
        using var specs = new TempDir("opengrid-e2e-crash");
        var spec = specs.Combine("long.yaml");
        await File.WriteAllTextAsync(spec, JobSpecs.Shell("long", "echo started; sleep 301", timeout: "10m"));
        var (code, stdout, stderr) = await _grid.OgAsync(Timeout, "submit", spec, "--json");
        Assert.True(code == 0, $"og submit exited {code}\n{stdout}\n{stderr}");
        var id = JsonDocument.Parse(stdout).RootElement.GetProperty("id").GetString()!;

        await using var logs = _grid.StartOg("logs", id, "-f");
        await logs.WaitForLineAsync(l => l.Contains("started"), Timeout, "the job's first log line");

        var status = JsonDocument.Parse((await _grid.OgAsync(Timeout, "status", id, "--json")).Stdout).RootElement;
        var runningOn = status.GetProperty("provider").GetString();
        var providers = await ProviderAddressesAsync();
        var victim = _grid.Providers[providers.IndexOf(runningOn!)];
        victim.KillHard();

        var exit = await logs.WaitForExitAsync(Timeout);
        Assert.NotEqual(0, exit);
        var after = JsonDocument.Parse((await _grid.OgAsync(Timeout, "status", id, "--json")).Stdout).RootElement;
        Assert.Equal("failed", after.GetProperty("state").GetString());
        Assert.Contains("provider disconnected", after.GetProperty("reason").GetString());
        // bubblewrap dies with its parent: the killed agent leaves no job processes behind.
        await WaitFor.ConditionAsync(() => Task.FromResult(!Processes.AnyWithCommandLine("sleep 301")), Timeout,
            "the crashed provider's sandboxed 'sleep 301' to die with it");
    }

    /// <summary>Provider addresses in the order the fixture started them (provider-1, provider-2).</summary>
    private async Task<List<string>> ProviderAddressesAsync()
    {
        var addresses = new List<string>();
        for (var i = 1; i <= 2; i++)
        {
            var key = JsonDocument.Parse(await File.ReadAllTextAsync(_grid.Data.Combine($"provider-{i}", "key.json"))).RootElement;
            addresses.Add(key.GetProperty("address").GetString()!);
        }
        return addresses;
    }
}
