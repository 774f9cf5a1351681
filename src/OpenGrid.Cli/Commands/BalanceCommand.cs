using System.CommandLine;
using OpenGrid.Cli.Output;
using OpenGrid.Cli.Payments;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og balance</c>: the account's tokens, escrow (available, locked), earnings and stake.</summary>
internal static class BalanceCommand
{
    public static Command Create(CliContext ctx)
    {
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("balance", "Show your money: wallet, escrow, earnings and stake.") { json, coordinator };
        CommandHelp.Describe(command,
            "Show your account's money on the coordinator's chain, in USDC with 6 decimals: tokens in your wallet, " +
            "escrow available (withdrawable, and what new jobs are checked against) and locked in running jobs, " +
            "provider earnings waiting to be withdrawn, and your provider stake (bonded, unbonding). Exits 3 when the " +
            "coordinator settles no payments.");
        CommandHelp.Examples(command, "og balance", "og balance --json | jq -r .available");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var balance = await UserWallet.BalanceAsync(client, ct);
            if (parseResult.GetValue(json))
                JsonOutput.Write(ctx.Stdout, balance, OpenGridJsonContext.Default.BalanceView);
            else
                BalancePrinter.Write(ctx.Stdout, balance);
            return ExitCodes.Ok;
        });
        return command;
    }
}
