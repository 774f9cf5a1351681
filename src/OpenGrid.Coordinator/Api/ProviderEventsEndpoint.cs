using System.Text.Json;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// <c>GET /v1/providers/events</c> (public): providers as Server-Sent Events. First a <c>snapshot</c> (the
/// <see cref="ProviderListView"/> that <c>GET /v1/providers</c> answers), then a <c>provider</c> event with the
/// <see cref="ProviderView"/> whenever a provider connects or disconnects, or its state (idle, busy, draining), current
/// jobs, hardware or capabilities change. Woken by connects and disconnects, and by job changes, since busy and idle
/// follow leases and a drain raises one; <c>lastSeen</c> moving alone is no event (it moves with every heartbeat).
/// </summary>
public static class ProviderEventsEndpoint
{
    /// <summary>A job writing many log lines wakes every stream at each line; one read per stream per this long.</summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(200);

    public static async Task StreamAsync(HttpContext context, ConnectedProviders providers, IJobStore store, Verification.TrustLedger trust, JobSignals signals, TimeProvider time)
    {
        using var stream = await EventStream.StartAsync(context);
        var ct = stream.Stopped;
        try
        {
            var changed = NextChange();
            var views = await ProvidersEndpoints.ListAsync(providers, store, trust, ct);
            var shown = views.ToDictionary(v => v.Address, Comparable, StringComparer.Ordinal);
            await stream.WriteAsync("snapshot", JsonSerializer.Serialize(new ProviderListView(views), OpenGridJsonContext.Default.ProviderListView));
            while (true)
            {
                await stream.WaitAsync(changed);
                changed = NextChange();
                foreach (var view in await ProvidersEndpoints.ListAsync(providers, store, trust, ct))
                {
                    var key = Comparable(view);
                    if (shown.TryGetValue(view.Address, out var previous) && previous == key)
                        continue;
                    shown[view.Address] = key;
                    await stream.WriteAsync("provider", JsonSerializer.Serialize(view, OpenGridJsonContext.Default.ProviderView));
                }
                await Task.Delay(MinInterval, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the coordinator is stopping: a reconnect starts with a fresh snapshot.
        }

        Task NextChange() => Task.WhenAny(providers.NextChange(), signals.NextAnyChange());
    }

    private static string Comparable(ProviderView view) =>
        JsonSerializer.Serialize(view with { LastSeen = default }, OpenGridJsonContext.Default.ProviderView);
}
