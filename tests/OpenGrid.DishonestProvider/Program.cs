using Microsoft.Extensions.Logging;
using OpenGrid.Core;
using OpenGrid.Core.Market;
using OpenGrid.DishonestProvider;
using OpenGrid.Provider;
using OpenGrid.Provider.Sandbox;

// Usage: dishonest-provider COORDINATOR_URL NAME PRICE_CORE_HOUR
// Home from OPENGRID_HOME. Undercuts honest providers with PRICE_CORE_HOUR so the matcher prefers it, runs every
// job for real in bubblewrap, then falsifies each output file.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: dishonest-provider COORDINATOR_URL NAME PRICE_CORE_HOUR (home from OPENGRID_HOME)");
    return 2;
}
var home = Environment.GetEnvironmentVariable("OPENGRID_HOME") ?? throw new InvalidOperationException("OPENGRID_HOME is not set");
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Information));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
if (!TokenAmount.TryParse(args[2], out var corePrice))
{
    Console.Error.WriteLine($"dishonest-provider: '{args[2]}' is not a USDC amount");
    return 2;
}
var options = new ProviderAgentOptions(new Uri(args[0]), home, args[1])
{
    Pricing = new FixedPriceList(PriceList.Testnet with { PerCpuCoreHour = corePrice }),
};
var honest = new BubblewrapSandbox(new SandboxOptions(), loggers.CreateLogger<BubblewrapSandbox>());
return await ProviderAgent.RunAsync(options, new FalsifyingSandbox(honest), loggers, stop.Token);
