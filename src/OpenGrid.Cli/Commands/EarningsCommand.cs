using System.CommandLine;
using OpenGrid.Cli.Output;
using OpenGrid.Cli.Payments;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og earnings</c>: a provider's pay waiting to be withdrawn, and its stake.</summary>
internal static class EarningsCommand
{
    public static Command Create(CliContext ctx)
    {
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("earnings", "Show your provider earnings and stake.") { json, coordinator };
        CommandHelp.Describe(command,
            "Show what your provider account has earned and not yet withdrawn (pay for verified work, after the 1% " +
            "protocol fee), and its stake in the provider registry. Withdraw earnings with og withdraw. Exits 3 when " +
            "the coordinator settles no payments.");
        CommandHelp.Examples(command,
            "og earnings                       # as the provider: OPENGRID_HOME=.opengrid/dev/provider-1",
            "og earnings --json | jq -r .earnings");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var b = await UserWallet.BalanceAsync(client, ct);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(ctx.Stdout, new EarningsView(b.Address, b.Earnings, b.Bonded, b.Unbonding), CliJsonContext.Default.EarningsView);
                return ExitCodes.Ok;
            }
            ctx.Stdout.WriteLine($"account    {b.Address}");
            ctx.Stdout.WriteLine($"earnings   {b.Earnings} USDC{(b.Earnings == "0.000000" ? "" : "  (og withdraw sends them to your wallet)")}");
            ctx.Stdout.WriteLine($"stake      {b.Bonded} bonded, {b.Unbonding} unbonding");
            return ExitCodes.Ok;
        });
        return command;
    }
}
