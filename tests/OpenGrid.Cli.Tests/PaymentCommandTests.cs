using OpenGrid.Core;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

/// <summary>
/// og balance, og earnings, og deposit and og withdraw against a fake coordinator: what they print, and the one line
/// and exit code when the coordinator settles no payments or an amount is not one. (Signing on a real chain is covered
/// by the end-to-end og dev test.)
/// </summary>
public sealed class PaymentCommandTests : IDisposable
{
    private static readonly BalanceView Balance = new("0x0000000000000000000000000000000000000001",
        "900.000000", "99.999998", "0.000833", "0.000002", "10.000000", "0.000000");

    private readonly TempDir _dir = new("og-payments");

    [Fact]
    public async Task Balance_prints_every_amount_with_six_decimals()
    {
        var result = await Og(fake => fake.Json("GET v1/balance", Balance, OpenGridJsonContext.Default.BalanceView)).RunAsync("balance");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("""
            account    0x0000000000000000000000000000000000000001
            wallet     900.000000 USDC
            escrow     99.999998 available, 0.000833 locked in running jobs
            earnings   0.000002
            stake      10.000000 bonded, 0.000000 unbonding

            """, result.Stdout.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Balance_json_is_the_wire_view()
    {
        var result = await Og(fake => fake.Json("GET v1/balance", Balance, OpenGridJsonContext.Default.BalanceView)).RunAsync("balance", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"available\":\"99.999998\"", result.Stdout);
        Assert.Contains("\"locked\":\"0.000833\"", result.Stdout);
    }

    [Fact]
    public async Task Earnings_json_has_the_earnings_and_the_stake()
    {
        var result = await Og(fake => fake.Json("GET v1/balance", Balance, OpenGridJsonContext.Default.BalanceView)).RunAsync("earnings", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("{\"address\":\"0x0000000000000000000000000000000000000001\",\"earnings\":\"0.000002\",\"bonded\":\"10.000000\",\"unbonding\":\"0.000000\"}\n",
            result.Stdout.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("balance")]
    [InlineData("earnings")]
    [InlineData("deposit", "1")]
    [InlineData("withdraw")]
    public async Task Without_a_chain_each_payment_command_says_so_in_one_line_and_exits_3(params string[] args)
    {
        var result = await Og(fake =>
        {
            fake.Problem("GET v1/balance", 404, ErrorCodes.ChainNotConfigured);
            fake.Problem("GET v1/chain", 404, ErrorCodes.ChainNotConfigured);
        }).RunAsync(args);

        Assert.Equal(3, result.ExitCode);
        var line = Assert.Single(result.Stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
        Assert.StartsWith("og: the coordinator at http://coordinator.test/ settles no payments: no chain is configured", line);
    }

    [Theory]
    [InlineData("deposit", "abc")]
    [InlineData("deposit", "1.0000001")]
    [InlineData("deposit", "0")]
    [InlineData("withdraw", "0.5x")]
    public async Task An_amount_that_is_not_a_positive_six_decimal_number_exits_2(string command, string amount)
    {
        var result = await Og(_ => { }).RunAsync(command, amount);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("og: AMOUNT", result.Stderr);
    }

    [Fact]
    public async Task A_submit_refused_for_lack_of_escrow_exits_8()
    {
        var spec = _dir.Combine("job.yaml");
        await File.WriteAllTextAsync(spec, JobSpecs.Shell("poor", "true"));
        var result = await Og(fake => fake.Problem("POST v1/jobs", 402, ErrorCodes.EscrowInsufficient)).RunAsync("submit", spec);

        Assert.Equal(8, result.ExitCode);
        Assert.Contains(ErrorCodes.EscrowInsufficient, result.Stderr);
    }

    private OgRunner Og(Action<FakeCoordinator> routes)
    {
        var fake = new FakeCoordinator();
        routes(fake);
        return new OgRunner(_dir.Path, _dir.Combine("home")) { Coordinator = fake }
            .WithVariable(CliEnvironment.CoordinatorVariable, FakeCoordinator.Url.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
