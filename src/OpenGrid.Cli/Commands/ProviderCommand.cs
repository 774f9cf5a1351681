using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenGrid.Cli.Grid;
using OpenGrid.Core;
using OpenGrid.Core.Market;
using OpenGrid.Core.Specs;
using OpenGrid.Provider;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og provider start</c>: run this machine as a provider until Ctrl-C or SIGTERM.</summary>
internal static class ProviderCommand
{
    public static Command Create(CliContext ctx)
    {
        var coordinator = CommonOptions.Coordinator();
        var name = new Option<string?>("--name")
        {
            Description = "Name shown in `og providers`. Default: this machine's host name.",
            HelpName = "NAME",
        };
        var region = new Option<string>("--region")
        {
            Description = "Region this provider advertises (jobs may ask for one).",
            HelpName = "REGION",
            DefaultValueFactory = _ => "local",
        };
        var maxDuration = new Option<string>("--max-duration")
        {
            Description = "Longest job timeout accepted, e.g. 2h.",
            HelpName = "DURATION",
            DefaultValueFactory = _ => "24h",
        };
        var coreHour = PriceOption("--price-core-hour", "USDC per CPU core-hour", PriceList.Testnet.PerCpuCoreHour);
        var gibHour = PriceOption("--price-gib-hour", "USDC per GiB-hour of memory", PriceList.Testnet.PerMemoryGiBHour);
        var gpuHour = PriceOption("--price-gpu-hour", "USDC per GPU-hour", PriceList.Testnet.PerGpuHourDefault);
        var start = new Command("start",
            "Run a provider agent until Ctrl-C.")
        {
            coordinator, name, region, maxDuration, coreHour, gibHour, gpuHour,
        };
        CommandHelp.Describe(start,
            "Offer this machine's CPU, memory and GPUs to the grid: the agent connects to the coordinator, runs the " +
            "jobs it is given in a bubblewrap sandbox, streams their logs and uploads their outputs. Runs until Ctrl-C " +
            "or SIGTERM. Its key lives in $OPENGRID_HOME (default ~/.opengrid).");
        CommandHelp.Examples(start,
            "og provider start                                        # joins the grid og dev started",
            "og provider start --coordinator http://10.0.0.5:5000 --name gpu-box");
        CommandAction.Set(start, ctx, async (parseResult, ct) =>
        {
            var url = GridDiscovery.Resolve(parseResult.GetValue(coordinator), ctx.Env).Url;
            if (!Quantities.TryParseDuration(parseResult.GetValue(maxDuration), out var longest, out var durationError))
                throw new CliException($"--max-duration: {durationError}", ExitCodes.InvalidInput);
            var prices = PriceList.Testnet with
            {
                PerCpuCoreHour = Price(parseResult, coreHour),
                PerMemoryGiBHour = Price(parseResult, gibHour),
                PerGpuHourDefault = Price(parseResult, gpuHour),
            };
            var options = new ProviderAgentOptions(url, ctx.Env.Home, parseResult.GetValue(name) ?? Environment.MachineName)
            {
                Region = parseResult.GetValue(region)!,
                MaxJobDuration = longest,
                Pricing = new FixedPriceList(prices),
            };
            using var loggers = LoggerFactory.Create(logging => logging
                .SetMinimumLevel(LogLevel.Information)
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss ";
                }));
            try
            {
                return await ProviderAgent.RunAsync(options, loggers, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok; // Ctrl-C or SIGTERM: a clean stop
            }
        });

        var command = new Command("provider", "Run a provider agent on this machine (see `og provider start --help`).") { start, Drain(ctx) };
        CommandHelp.Examples(command, "og provider start", "og provider drain");
        return command;
    }

    private static Option<string> PriceOption(string name, string what, TokenAmount fallback) => new(name)
    {
        Description = $"Ask in {what} (6 decimals at most).",
        HelpName = "AMOUNT",
        DefaultValueFactory = _ => fallback.ToString(),
    };

    private static TokenAmount Price(ParseResult parseResult, Option<string> option) =>
        TokenAmount.TryParse(parseResult.GetValue(option), out var amount)
            ? amount
            : throw new CliException($"{option.Name}: '{parseResult.GetValue(option)}' is not an amount; use a decimal like 0.02", ExitCodes.InvalidInput);

    private static Command Drain(CliContext ctx)
    {
        var coordinator = CommonOptions.Coordinator();
        var undo = new Option<bool>("--undo") { Description = "Take new leases again." };
        var json = CommonOptions.Json();
        var drain = new Command("drain", "Stop taking new jobs; running ones finish.") { coordinator, undo, json };
        CommandHelp.Describe(drain,
            "Tell the coordinator that this provider (the account in $OPENGRID_HOME) takes no new leases. Jobs it runs " +
            "now finish normally; `og providers` shows it as draining. Survives coordinator restarts. `--undo` resumes.");
        CommandHelp.Examples(drain,
            "og provider drain                 # as the provider: uses the key in $OPENGRID_HOME",
            "og provider drain --undo");
        CommandAction.Set(drain, ctx, async (parseResult, ct) =>
        {
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var view = await client.DrainAsync(!parseResult.GetValue(undo), ct);
            if (parseResult.GetValue(json))
                ctx.Stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(view, Protocol.OpenGridJsonContext.Default.DrainView));
            else
                ctx.Stdout.WriteLine(view.Draining
                    ? $"provider {view.Address} is draining: no new leases; {view.ActiveLeases} running lease(s) will finish"
                    : $"provider {view.Address} takes new leases again");
            return ExitCodes.Ok;
        });
        return drain;
    }
}
