using System.CommandLine;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og market</c>: order book depth per resource class and recent clearing prices.</summary>
internal static class MarketCommand
{
    public static Command Create(CliContext ctx)
    {
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("market", "Show the order book and recent clearing prices.") { json, coordinator };
        CommandHelp.Describe(command,
            "Show the market per resource class (cpu, gpu:<model>): jobs waiting (bids), providers offering (asks), " +
            "their free capacity and the lowest ask, then the most recent matches with the price per hour each " +
            "provider is paid.");
        CommandHelp.Examples(command, "og market", "og market --json | jq '.recentClearing[0]'");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var market = await ctx.Connect(parseResult.GetValue(coordinator)).MarketAsync(ct);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(ctx.Stdout, market, OpenGridJsonContext.Default.MarketView);
                return ExitCodes.Ok;
            }
            var book = new TextTable("CLASS", "BIDS", "ASKS", "FREE CPU", "FREE MEMORY", "FREE GPUS", "LOWEST ASK/HOUR");
            foreach (var c in market.Classes)
                book.Add(c.Class, c.Bids.ToString(), c.Offers.ToString(), Formats.Cpu(c.FreeCpuMillis), Formats.Bytes(c.FreeMemoryBytes),
                    c.FreeGpus.ToString(), Formats.OrDash(c.LowestAsk));
            book.Write(ctx.Stdout);
            ctx.Stdout.WriteLine();
            if (market.RecentClearing.Count == 0)
            {
                ctx.Stdout.WriteLine("no matches yet");
                return ExitCodes.Ok;
            }
            ctx.Stdout.WriteLine("recent matches:");
            var recent = new TextTable("AT", "CLASS", "JOB", "PROVIDER", "PRICE/HOUR");
            foreach (var m in market.RecentClearing)
                recent.Add(Formats.Time(m.At), m.Class, m.JobId, m.Provider, m.PricePerHour);
            recent.Write(ctx.Stdout, "  ");
            return ExitCodes.Ok;
        });
        return command;
    }
}
