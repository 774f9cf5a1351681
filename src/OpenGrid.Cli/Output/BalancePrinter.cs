using OpenGrid.Protocol.Api;

namespace OpenGrid.Cli.Output;

/// <summary>An account's money as <c>og balance</c> prints it: every amount in USDC with 6 decimals.</summary>
internal static class BalancePrinter
{
    public static void Write(TextWriter w, BalanceView b, string indent = "")
    {
        w.WriteLine($"{indent}account    {b.Address}");
        w.WriteLine($"{indent}wallet     {b.Wallet} USDC");
        w.WriteLine($"{indent}escrow     {b.Available} available, {b.Locked} locked in running jobs");
        w.WriteLine($"{indent}earnings   {b.Earnings}");
        w.WriteLine($"{indent}stake      {b.Bonded} bonded, {b.Unbonding} unbonding");
    }
}
