using Microsoft.Extensions.Logging;
using OpenGrid.Core.Market;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;
using OpenGrid.Provider.Gateway;
using OpenGrid.Provider.Probe;
using OpenGrid.Provider.Runners;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider;

/// <summary>How to run a provider agent. Home holds the provider's key and its job work dirs.</summary>
public sealed record ProviderAgentOptions(Uri Coordinator, string Home, string Name)
{
    /// <summary>Seconds between heartbeats until the coordinator's welcome sets the pace.</summary>
    public int HeartbeatSeconds { get; init; } = 2;

    /// <summary>Region this provider advertises; jobs may ask for one. Default <c>local</c>.</summary>
    public string Region { get; init; } = "local";

    /// <summary>The longest job timeout this provider accepts. Default 24 hours.</summary>
    public TimeSpan MaxJobDuration { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How this provider prices its offer. Default: the fixed testnet price list.</summary>
    public IPricingStrategy Pricing { get; init; } = new FixedPriceList(PriceList.Testnet);

    /// <summary>Bytes of fetched inputs kept under <c>$OPENGRID_HOME/cache</c> for later jobs. Default 4 GiB.</summary>
    public long InputCacheBytes { get; init; } = 4L << 30;
}

/// <summary>The provider agent: probes the machine, dials the coordinator, runs the jobs it is leased.</summary>
public static partial class ProviderAgent
{
    /// <summary>Runs until <paramref name="cancellationToken"/> fires; returns a process exit code.</summary>
    public static Task<int> RunAsync(ProviderAgentOptions options, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        RunAsync(options, new BubblewrapSandbox(
            new SandboxOptions { RunnerDirectories = [.. RunnerLocator.Directories()] }, loggers.CreateLogger<BubblewrapSandbox>()),
            loggers, cancellationToken);

    /// <summary>
    /// Runs with a given sandbox. The product always uses bubblewrap (the overload above); benchmarks pass another
    /// implementation to measure what the sandbox costs.
    /// </summary>
    public static async Task<int> RunAsync(ProviderAgentOptions options, ISandbox sandbox, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var log = loggers.CreateLogger("OpenGrid.Provider");
        var identity = KeyStore.LoadOrCreate(options.Home);
        var jobs = Path.Combine(options.Home, "jobs");
        Directory.CreateDirectory(jobs);
        var inventory = await ResourceProbe.DetectAsync(jobs, log, cancellationToken);
        LogStarting(log, identity.Address.Value, options.Name, inventory.Hardware.Cores, inventory.Hardware.MemoryBytes,
            string.Join(",", inventory.Capabilities), string.Join(",", sandbox.Enforcement.Enforced));

        var baseUri = options.Coordinator.AbsoluteUri.EndsWith('/') ? options.Coordinator : new Uri(options.Coordinator.AbsoluteUri + "/");
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        var client = new OpenGridClient(http, identity);
        var connection = new GatewayConnection(client, sandbox, inventory, options with { Coordinator = baseUri }, log);
        await connection.RunAsync(cancellationToken);
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {ProviderId} ({Name}): {Cores} cores, {MemoryBytes} bytes; capabilities {Capabilities}; sandbox enforces {Enforced}")]
    private static partial void LogStarting(ILogger log, string providerId, string name, int cores, long memoryBytes, string capabilities, string enforced);
}
