using System.CommandLine;
using OpenGrid.Cli.Payments;
using OpenGrid.Core;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og withdraw [AMOUNT]</c>: unlocked escrow funds and provider earnings back to the user's wallet.</summary>
internal static class WithdrawCommand
{
    public static Command Create(CliContext ctx)
    {
        var amount = new Argument<string?>("AMOUNT")
        {
            Description = "USDC of your available escrow to withdraw. Default: all of it, and all your earnings.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var coordinator = CommonOptions.Coordinator();
        var rpc = PaymentOptions.Rpc();
        var command = new Command("withdraw", "Withdraw unlocked escrow funds and provider earnings to your wallet.") { amount, coordinator, rpc };
        CommandHelp.Describe(command,
            "Send money from the escrow contract back to your wallet, signed with your key ($OPENGRID_HOME/key.json). " +
            "Requesters: AMOUNT of your available (unlocked) escrow, or all of it; funds locked in running jobs stay " +
            "until the job ends. Providers: without AMOUNT, all your earnings too (earnings are withdrawn whole). " +
            "Exits 2 when AMOUNT is more than you have available.");
        CommandHelp.Examples(command,
            "og withdraw                 # everything available, and all earnings",
            "og withdraw 5               # 5 USDC of your available escrow");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            TokenAmount? requested = parseResult.GetValue(amount) is { } text ? UserWallet.ParseAmount(text) : null;
            var wallet = await UserWallet.OpenAsync(ctx, ctx.Connect(parseResult.GetValue(coordinator)), parseResult.GetValue(rpc), ct);
            var escrow = wallet.Contracts.Escrow;
            var balances = await wallet.RunAsync(() => escrow.GetBalancesAsync(wallet.Address, ct));
            if (requested is { } r && r.CompareTo(balances.Available) > 0)
                throw CliException.InvalidInput($"you have {balances.Available} USDC available in escrow ({balances.Locked} locked in running jobs); cannot withdraw {r}");

            var funds = requested ?? balances.Available;
            var withdrew = false;
            if (funds.BaseUnits > 0)
            {
                var tx = await wallet.RunAsync(() => escrow.WithdrawAsync(funds, ct));
                ctx.Stdout.WriteLine($"withdrew {funds} USDC of escrow funds (tx {tx.TransactionHash})");
                withdrew = true;
            }
            if (requested is null && balances.Earnings.BaseUnits > 0)
            {
                var tx = await wallet.RunAsync(() => escrow.WithdrawEarningsAsync(ct));
                ctx.Stdout.WriteLine($"withdrew {balances.Earnings} USDC of earnings (tx {tx.TransactionHash})");
                withdrew = true;
            }
            if (!withdrew)
            {
                ctx.Stdout.WriteLine($"nothing to withdraw: {balances.Available} available, {balances.Earnings} earnings, {balances.Locked} locked in running jobs");
                return ExitCodes.Ok;
            }
            var held = await wallet.RunAsync(() => wallet.Contracts.Token.BalanceOfAsync(wallet.Address, ct));
            ctx.Stdout.WriteLine($"wallet: {held} USDC");
            return ExitCodes.Ok;
        });
        return command;
    }
}
