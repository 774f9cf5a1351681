using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

/// <summary>
/// A grid of two honest providers and one dishonest one — a test-only agent (tests/OpenGrid.DishonestProvider) that
/// speaks the real protocol, runs jobs in the real sandbox and then falsifies their outputs — priced below the
/// others so the market prefers it. Canaries are off: only quorum can catch it here.
/// </summary>
public sealed class QuorumGrid() : TestGrid("quorum",
    ["--Coordinator:HeartbeatSeconds=1", "--Coordinator:LeaseGraceSeconds=2", "--Coordinator:RetryBackoff=00:00:00.200",
     "--Coordinator:Trust:CanaryRate=0"])
{
    public string DishonestHome { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        DishonestHome = await AddProviderAsync("dishonest", TestPaths.BuiltDll("OpenGrid.DishonestProvider", "dishonest-provider"),
            [Coordinator.ToString(), "quorum-dishonest", "0.001"]);
    }
}

/// <summary>The same population with every submitted job bringing a canary from the repository's catalogue, in the
/// job's shape, up to two seconds after it.</summary>
public sealed class CanaryGrid() : TestGrid("canary",
    ["--Coordinator:HeartbeatSeconds=1", "--Coordinator:LeaseGraceSeconds=2", "--Coordinator:RetryBackoff=00:00:00.200",
     "--Coordinator:Trust:CanaryRate=1", "--Coordinator:Trust:CanaryMaxDelay=00:00:02",
     "--Coordinator:Trust:CanaryDir=" + Path.Combine(TestPaths.RepoRoot, "canaries")])
{
    public string DishonestHome { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        DishonestHome = await AddProviderAsync("dishonest", TestPaths.BuiltDll("OpenGrid.DishonestProvider", "dishonest-provider"),
            [Coordinator.ToString(), "canary-dishonest", "0.001"]);
    }
}

public sealed class QuorumTests(QuorumGrid grid) : IClassFixture<QuorumGrid>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Dishonest_provider_is_outvoted_by_quorum_loses_reputation_and_stops_being_matched()
    {
        using var specs = new TempDir("opengrid-quorum-specs");
        var spec = specs.Combine("verified.yaml");
        await File.WriteAllTextAsync(spec, JobSpecs.Shell("verified", "echo the answer is 42 > /out/answer.txt") + """

            outputs:
              - { path: answer.txt, compare: exact }
            verify: { replicas: 2, quorum: 2, adaptive: false }
            """);
        var dishonest = TestGrid.AddressIn(grid.DishonestHome);

        var (code, stdout, stderr) = await grid.OgAsync(Timeout, "submit", spec, "--follow");
        Assert.True(code == 0, $"og submit --follow exited {code}\n{stdout}\n{stderr}");
        var job = await JobAsync(LastJobId(stdout, stderr));
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        // Replica 0 went to the cheapest provider (the dishonest one); its partner disagreed, a third replica broke the tie.
        var replicas = job.GetProperty("replicas").EnumerateArray().ToList();
        Assert.Equal(3, replicas.Count);
        Assert.Contains(replicas, r => r.GetProperty("provider").GetString() == dishonest && r.GetProperty("verdict").GetString() == "disagreed");
        Assert.Equal(2, replicas.Count(r => r.GetProperty("verdict").GetString() == "agreed"));

        using var outDir = new TempDir("opengrid-quorum-out");
        var (getCode, getOut, getErr) = await grid.OgAsync(Timeout, "get", job.GetProperty("id").GetString()!, "-o", outDir.Path, "--proof");
        Assert.True(getCode == 0, $"og get exited {getCode}\n{getOut}\n{getErr}");
        Assert.Equal("the answer is 42\n", await File.ReadAllTextAsync(outDir.Combine("answer.txt")));

        // Every replica's receipt is in the proof pack and checks out offline, the dissenter's too: it signed what it returned.
        var (verifyCode, verifyOut, verifyErr) = await grid.OgAsync(Timeout, "verify", outDir.Path, "--json");
        Assert.True(verifyCode == 0, $"og verify exited {verifyCode}\n{verifyOut}\n{verifyErr}");
        var pack = JsonDocument.Parse(await File.ReadAllTextAsync(outDir.Combine("proof.json"))).RootElement;
        Assert.Equal(3, pack.GetProperty("attempts").GetArrayLength());
        Assert.Equal(2, pack.GetProperty("verdict").GetProperty("agreeingAttempts").GetArrayLength());

        var provider = await ProviderAsync(dishonest);
        Assert.True(provider.GetProperty("reputation").GetDouble() < 0.3, $"the dishonest provider kept reputation {provider.GetProperty("reputation")}");

        // Still the cheapest, but below the floor: the next job goes elsewhere.
        var (nextCode, nextOut, nextErr) = await grid.OgAsync(Timeout, "submit", spec, "--follow");
        Assert.True(nextCode == 0, $"second og submit exited {nextCode}\n{nextOut}\n{nextErr}");
        var next = await JobAsync(LastJobId(nextOut, nextErr));
        Assert.All(next.GetProperty("replicas").EnumerateArray(), r => Assert.NotEqual(dishonest, r.GetProperty("provider").GetString()));
    }

    private async Task<JsonElement> JobAsync(string id)
    {
        var (code, json, err) = await grid.OgAsync(Timeout, "status", id, "--json");
        Assert.True(code == 0, $"og status exited {code}: {err}");
        return JsonDocument.Parse(json).RootElement;
    }

    private async Task<JsonElement> ProviderAsync(string address)
    {
        var (code, json, err) = await grid.OgAsync(Timeout, "providers", "--json");
        Assert.True(code == 0, $"og providers exited {code}: {err}");
        return JsonDocument.Parse(json).RootElement.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("address").GetString() == address);
    }

    internal static string LastJobId(string stdout, string stderr) =>
        System.Text.RegularExpressions.Regex.Matches(stdout + "\n" + stderr, "[0-9a-f]{32}").Last().Value;
}

public sealed class CanaryTests(CanaryGrid grid) : IClassFixture<CanaryGrid>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Dishonest_provider_fails_a_canary_drops_below_the_floor_and_is_not_matched_again()
    {
        var dishonest = TestGrid.AddressIn(grid.DishonestHome);
        var hello = Path.Combine(TestPaths.RepoRoot, "examples", "hello", "job.yaml");
        var (code, stdout, stderr) = await grid.OgAsync(Timeout, "submit", hello, "--follow");
        Assert.True(code == 0, $"og submit --follow exited {code}\n{stdout}\n{stderr}");

        // The canary that came with hello went to the cheapest provider, which falsified its answer.
        using var http = new HttpClient { BaseAddress = grid.Coordinator };
        JsonElement history = default;
        await WaitFor.ConditionAsync(async () =>
        {
            history = JsonDocument.Parse(await http.GetStringAsync($"v1/providers/{dishonest}/reputation")).RootElement;
            return history.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("event").GetString() == "canary_failed");
        }, Timeout, "the dishonest provider to fail its canary");
        Assert.True(history.GetProperty("reputation").GetDouble() < 0.3, $"reputation after a failed canary: {history}");

        var (nextCode, nextOut, nextErr) = await grid.OgAsync(Timeout, "submit", hello, "--follow");
        Assert.True(nextCode == 0, $"second og submit exited {nextCode}\n{nextOut}\n{nextErr}");
        var (statusCode, json, _) = await grid.OgAsync(Timeout, "status", QuorumTests.LastJobId(nextOut, nextErr), "--json");
        Assert.Equal(0, statusCode);
        Assert.All(JsonDocument.Parse(json).RootElement.GetProperty("attempts").EnumerateArray(),
            a => Assert.NotEqual(dishonest, a.GetProperty("provider").GetString()));
    }
}
