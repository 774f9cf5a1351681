using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

[Collection(nameof(GridCollection))]
public sealed class MarketTests(GridFixture grid)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Og_plan_lists_both_providers_with_a_price_for_hello_and_the_cost_range()
    {
        var (code, json, err) = await grid.OgAsync(Timeout, "plan", Example("hello"), "--json");
        Assert.True(code == 0, $"og plan exited {code}: {err}");
        var plan = JsonDocument.Parse(json).RootElement;
        Assert.Equal(2, plan.GetProperty("feasible").GetArrayLength());
        Assert.Equal(0, plan.GetProperty("rejected").GetArrayLength());
        Assert.NotNull(plan.GetProperty("costMin").GetString());
        Assert.NotNull(plan.GetProperty("costMax").GetString());
    }

    [Fact]
    public async Task Og_plan_says_why_no_provider_here_can_run_sdxl()
    {
        var (code, text, err) = await grid.OgAsync(Timeout, "plan", Example("sdxl"));
        Assert.True(code == 2, $"og plan of an unrunnable job should exit 2, got {code}: {text}{err}");
        Assert.Contains("no provider could run it now", text);
        var (_, json, _) = await grid.OgAsync(Timeout, "plan", Example("sdxl"), "--json");
        var rejected = JsonDocument.Parse(json).RootElement.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
    }

    [Fact]
    public async Task Og_market_shows_both_providers_asks_in_the_cpu_class()
    {
        var (code, json, err) = await grid.OgAsync(Timeout, "market", "--json");
        Assert.True(code == 0, $"og market exited {code}: {err}");
        var cpu = JsonDocument.Parse(json).RootElement.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("class").GetString() == "cpu");
        Assert.Equal(2, cpu.GetProperty("offers").GetInt32());
        Assert.Equal("0.020000", cpu.GetProperty("lowestAsk").GetString());
    }

    private static string Example(string name) => Path.Combine(TestPaths.RepoRoot, "examples", name, "job.yaml");
}
