using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

/// <summary>
/// Real processes failing for real: SIGKILL of a provider and of the coordinator, SIGSTOP of a provider past its
/// lease. Each test has a grid of its own (heartbeat 1 s + grace 2 s).
/// </summary>
public sealed class FaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly GridFixture _grid = new();
    private readonly TempDir _specs = new("opengrid-e2e-faults");

    public Task InitializeAsync() => _grid.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _grid.DisposeAsync();
        _specs.Dispose();
    }

    [Fact]
    public async Task A_provider_killed_mid_job_loses_its_lease_and_the_job_completes_on_the_other_provider()
    {
        var id = await SubmitAsync("survives-crash", "echo started; sleep 5; echo done");
        await WaitForLogAsync(id, "started");
        var first = await StatusAsync(id);
        var victim = ProviderIndex(first.GetProperty("provider").GetString()!);
        _grid.Providers[victim].KillHard();

        var end = await FollowToEndAsync(id);
        Assert.Equal(0, end);
        var status = await StatusAsync(id);
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var attempts = status.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal("failed", attempts[0].GetProperty("state").GetString());
        Assert.Contains("provider silent", attempts[0].GetProperty("reason").GetString());
        Assert.NotEqual(attempts[0].GetProperty("provider").GetString(), attempts[1].GetProperty("provider").GetString());
        Assert.True(attempts[1].GetProperty("epoch").GetInt64() > attempts[0].GetProperty("epoch").GetInt64());

        var (_, human, _) = await _grid.OgAsync(Timeout, "status", id);
        Assert.Contains(attempts[0].GetProperty("provider").GetString()!, human);
        Assert.Contains(attempts[1].GetProperty("provider").GetString()!, human);
    }

    [Fact]
    public async Task A_coordinator_killed_mid_job_and_restarted_loses_nothing_and_accepts_the_running_jobs_result()
    {
        var running = await SubmitAsync("outlives-coordinator", "echo started; sleep 5; echo done; echo result > /out/result.txt");
        await WaitForLogAsync(running, "started");

        await _grid.RestartCoordinatorAsync();

        Assert.Equal(0, await FollowToEndAsync(running));
        var status = await StatusAsync(running);
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Single(status.GetProperty("attempts").EnumerateArray());
        Assert.Contains(status.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("path").GetString() == "result.txt");
        var (_, logs, _) = await _grid.OgAsync(Timeout, "logs", running);
        Assert.Contains("started", logs);
        Assert.Contains("done", logs);
    }

    [Fact]
    public async Task A_provider_paused_past_its_lease_has_its_stale_result_rejected_when_it_resumes()
    {
        var id = await SubmitAsync("outlives-pause", "echo started; sleep 5; echo done");
        await WaitForLogAsync(id, "started");
        var paused = ProviderIndex((await StatusAsync(id)).GetProperty("provider").GetString()!);
        var agent = _grid.Providers[paused];
        agent.Pause();
        try
        {
            Assert.Equal(0, await FollowToEndAsync(id));
        }
        finally
        {
            agent.Resume();
        }
        await agent.WaitForLineAsync(l => l.Contains("lease.stale_epoch"), Timeout, "the resumed provider's stale report being rejected");

        var status = await StatusAsync(id);
        var attempts = status.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal("failed", attempts[0].GetProperty("state").GetString());
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.NotEqual(_grid.ProviderAddress(paused + 1), status.GetProperty("provider").GetString());
    }

    private async Task<string> SubmitAsync(string name, string script)
    {
        var spec = _specs.Combine(name + ".yaml");
        await File.WriteAllTextAsync(spec, JobSpecs.Shell(name, script) + "\noutputs: [{ path: result.txt }]\n");
        var (code, stdout, stderr) = await _grid.OgAsync(Timeout, "submit", spec, "--json");
        Assert.True(code == 0, $"og submit exited {code}\n{stdout}\n{stderr}");
        return JsonDocument.Parse(stdout).RootElement.GetProperty("id").GetString()!;
    }

    private async Task WaitForLogAsync(string id, string text)
    {
        await using var logs = _grid.StartOg("logs", id, "-f");
        await logs.WaitForLineAsync(l => l.Contains(text), Timeout, $"'{text}' in the logs of {id}");
    }

    /// <summary>Follows the job to its end with a fresh <c>og logs -f</c>; returns og's exit code.</summary>
    private async Task<int> FollowToEndAsync(string id)
    {
        await using var logs = _grid.StartOg("logs", id, "-f");
        return await logs.WaitForExitAsync(Timeout);
    }

    private async Task<JsonElement> StatusAsync(string id)
    {
        var (code, json, err) = await _grid.OgAsync(Timeout, "status", id, "--json");
        Assert.True(code == 0, $"og status exited {code}: {err}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private int ProviderIndex(string address) =>
        address == _grid.ProviderAddress(1) ? 0 : address == _grid.ProviderAddress(2) ? 1
        : throw new InvalidOperationException($"{address} is not one of this grid's providers");
}
