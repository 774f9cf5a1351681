using System.CommandLine;
using OpenGrid.Cli.Payments;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og deposit AMOUNT</c>: moves tokens from the user's wallet into escrow, signed with the user's key.</summary>
internal static class DepositCommand
{
    public static Command Create(CliContext ctx)
    {
        var amount = new Argument<string>("AMOUNT") { Description = "USDC to deposit, e.g. 10 or 0.25 (at most 6 decimals)." };
        var coordinator = CommonOptions.Coordinator();
        var rpc = PaymentOptions.Rpc();
        var command = new Command("deposit", "Deposit USDC from your wallet into escrow, to pay for jobs.") { amount, coordinator, rpc };
        CommandHelp.Describe(command,
            "Deposit USDC from your wallet into the escrow contract, so you can submit jobs: a job is accepted only " +
            "when your available escrow covers its worst case (max price per hour × replicas × timeout). og signs " +
            "the approve and deposit transactions with your key ($OPENGRID_HOME/key.json), directly on the chain the " +
            "coordinator names; your account needs ETH for gas. Exits 2 when your wallet holds less than AMOUNT.");
        CommandHelp.Examples(command, "og deposit 10", "og deposit 0.25 --rpc https://sepolia.base.org");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var value = UserWallet.ParseAmount(parseResult.GetValue(amount)!);
            var wallet = await UserWallet.OpenAsync(ctx, ctx.Connect(parseResult.GetValue(coordinator)), parseResult.GetValue(rpc), ct);
            var c = wallet.Contracts;
            var held = await wallet.RunAsync(() => c.Token.BalanceOfAsync(wallet.Address, ct));
            if (held.CompareTo(value) < 0)
                throw CliException.InvalidInput($"your wallet {wallet.Address} holds {held} USDC; cannot deposit {value}");
            var allowed = await wallet.RunAsync(() => c.Token.AllowanceAsync(wallet.Address, c.Escrow.Address, ct));
            if (allowed.CompareTo(value) < 0)
                await wallet.RunAsync(() => c.Token.ApproveAsync(c.Escrow.Address, value, ct));
            var tx = await wallet.RunAsync(() => c.Escrow.DepositAsync(value, ct));
            var after = await wallet.RunAsync(() => c.Escrow.GetBalancesAsync(wallet.Address, ct));
            ctx.Stdout.WriteLine($"deposited {value} USDC (tx {tx.TransactionHash}); escrow: {after.Available} available, {after.Locked} locked");
            return ExitCodes.Ok;
        });
        return command;
    }
}
