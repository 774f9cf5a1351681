using System.Collections.Concurrent;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// Stake to serve: with payments on, which connected providers have at least the registry's minimum bond. Read from
/// the chain in the background (<see cref="BondWatcher"/>) and kept here, so a matching round never waits on the
/// chain; a provider not read yet counts as unbonded until it is. With payments off every provider is bonded.
/// </summary>
public sealed class BondBook(SettlementChain chain)
{
    private readonly ConcurrentDictionary<Address, bool> _bonded = new();

    public bool IsBonded(Address provider) => !chain.Enabled || (_bonded.TryGetValue(provider, out var bonded) && bonded);

    /// <summary>Records what the registry said; true when it is news (first reading, or a change).</summary>
    public bool Set(Address provider, bool bonded)
    {
        var news = !_bonded.TryGetValue(provider, out var before) || before != bonded;
        _bonded[provider] = bonded;
        return news;
    }
}

/// <summary>Reads the bond of every connected provider from the registry when providers change and every few seconds.</summary>
public sealed partial class BondWatcher(SettlementChain chain, BondBook bonds, ConnectedProviders providers, JobSignals signals,
    TimeProvider time, ILogger<BondWatcher> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!chain.Enabled)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = providers.NextChange();
            try
            {
                var session = await chain.ConnectAsync(stoppingToken);
                var any = false;
                foreach (var provider in providers.Online)
                {
                    var bonded = await session.Contracts.Registry.IsBondedAsync(provider.Address.Value, stoppingToken);
                    if (bonds.Set(provider.Address, bonded))
                    {
                        any = true;
                        LogBond(provider.Address, bonded);
                    }
                }
                if (any)
                    signals.SchedulingChance();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogReadFailed(e);
            }
            try
            {
                await changed.WaitAsync(Interval, time, stoppingToken);
            }
            catch (TimeoutException)
            {
                // Periodic read: bonds change on chain without the coordinator hearing of it.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {ProviderId} bonded: {Bonded}")]
    private partial void LogBond(Address providerId, bool bonded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read provider bonds from the registry")]
    private partial void LogReadFailed(Exception e);
}
