using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenGrid.Core;
using OpenGrid.Core.Market;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Provider.Jobs;
using OpenGrid.Provider.Probe;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Gateway;

/// <summary>
/// The provider's side of the gateway. Leases and the outbox belong to the agent, not to one connection: when the
/// connection drops, running jobs keep running and their reports wait in the outbox; the agent dials again with
/// backoff, says hello with the leases it still runs, and delivers what is pending (at least once — the
/// coordinator's handlers are idempotent). A lease the coordinator calls stale or cancels is killed.
/// </summary>
internal sealed partial class GatewayConnection(
    OpenGridClient client,
    ISandbox sandbox,
    MachineInventory inventory,
    ProviderAgentOptions options,
    ILogger log)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly Channel<ProviderMessage> _outbox = Channel.CreateUnbounded<ProviderMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, RunningLease> _leases = new();

    private TimeSpan _heartbeat = TimeSpan.FromSeconds(options.HeartbeatSeconds);
    private InputCache? _cache;
    private ReceiptChain? _receipts;

    private ReceiptChain Receipts => _receipts ??= new ReceiptChain(client.Identity, options.Home);

    /// <summary>The agent's input cache; tells the coordinator whenever what it holds changes.</summary>
    private InputCache Cache
    {
        get
        {
            if (_cache is null)
            {
                _cache = new InputCache(Path.Combine(options.Home, "cache"), options.InputCacheBytes);
                _cache.Changed += () => _outbox.Writer.TryWrite(new InputsCached(_cache.Cids()));
            }
            return _cache;
        }
    }

    private sealed record RunningLease(long Epoch, CancellationTokenSource Cancel, Task Run);

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = FirstBackoff;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(ct);
                    backoff = FirstBackoff;
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or CoordinatorUnreachableException or OpenGridApiException or JsonException)
                {
                    LogConnectionFailed(options.Coordinator, e.Message, backoff.TotalSeconds);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                await Task.Delay(backoff, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        finally
        {
            // The agent is stopping: stop every job it runs.
            foreach (var lease in _leases.Values)
                await lease.Cancel.CancelAsync();
            await Task.WhenAll(_leases.Values.Select(l => l.Run)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The offer's terms: region, longest job, and prices from the pricing strategy.</summary>
    private Protocol.Api.OfferTermsView Terms()
    {
        var capacity = new ResourceVector(inventory.Hardware.Cores * 1000L, inventory.Hardware.MemoryBytes, inventory.Hardware.DiskBytes,
            inventory.Hardware.Gpus.Select(g => new Core.Scheduling.GpuInfo(g.Model, g.MemoryBytes)).ToList());
        var prices = options.Pricing.Prices(capacity, inventory.Capabilities.ToHashSet(StringComparer.Ordinal));
        return new Protocol.Api.OfferTermsView(options.Region, (long)options.MaxJobDuration.TotalSeconds, prices.ToView());
    }

    private ValueTask SendAsync(ProviderMessage message) => _outbox.Writer.WriteAsync(message, CancellationToken.None);

    private async Task RunOnceAsync(CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + await client.GetTokenAsync(ct));
        var uri = new UriBuilder(new Uri(options.Coordinator, "v1/providers/connect"))
        {
            Scheme = options.Coordinator.Scheme == "https" ? "wss" : "ws",
        }.Uri;
        await socket.ConnectAsync(uri, ct);

        var held = _leases.Select(l => new LeaseRef(l.Key, l.Value.Epoch)).ToList();
        var hello = new Hello(typeof(ProviderAgent).Assembly.GetName().Version?.ToString() ?? "0", options.Name,
            inventory.Hardware, inventory.Capabilities,
            new Protocol.Api.SandboxView(sandbox.Enforcement.Runtime, sandbox.Enforcement.CgroupVersion, sandbox.Enforcement.Enforced),
            held, Terms(), Cache.Cids());
        await GatewayFraming.SendAsync(socket, hello, OpenGridJsonContext.Default.ProviderMessage, ct);
        LogConnected(options.Coordinator, held.Count);

        using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writer = WriteLoopAsync(socket, connection.Token);
        try
        {
            while (await ReceiveAsync(socket, connection.Token) is { } message)
                await HandleAsync(message);
        }
        finally
        {
            await connection.CancelAsync();
            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            LogDisconnected(options.Coordinator, _leases.Count);
        }
    }

    private async Task HandleAsync(CoordinatorMessage message)
    {
        switch (message)
        {
            case Welcome welcome when welcome.HeartbeatSeconds > 0:
                Receipts.Welcome(welcome, reportsPending: !_outbox.Reader.CanPeek || _outbox.Reader.TryPeek(out _));
                // The coordinator sets the pace: its lease timeout is heartbeat + grace.
                _heartbeat = TimeSpan.FromSeconds(welcome.HeartbeatSeconds);
                break;
            case Assign assign when !_leases.ContainsKey(assign.JobId):
                StartLease(assign);
                break;
            case CancelLease c when _leases.TryGetValue(c.JobId, out var lease) && lease.Epoch == c.Epoch:
                LogCancelRequested(c.JobId, c.Reason);
                await lease.Cancel.CancelAsync();
                break;
            case Rejected r:
                LogRejected(r.JobId, r.Code, r.Message);
                if (r is { JobId: { } id, Code: ErrorCodes.LeaseStaleEpoch or ErrorCodes.LeaseNotYours }
                    && _leases.TryGetValue(id, out var stale) && stale.Epoch == r.Epoch)
                    await stale.Cancel.CancelAsync();
                break;
        }
    }

    private void StartLease(Assign assign)
    {
        var cancel = new CancellationTokenSource();
        var runner = new LeaseRunner(sandbox, client, Cache, Receipts, Path.Combine(options.Home, "jobs"), SendAsync, log);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(async () =>
        {
            await start.Task;
            try
            {
                await runner.RunAsync(assign, cancel.Token);
            }
            catch (Exception e)
            {
                LogLeaseCrashed(assign.JobId, e);
                await SendAsync(new JobFinished(assign.JobId, assign.Epoch, "failed", null,
                    $"the provider agent failed: {e.Message}", new Protocol.Api.UsageView(0, 0, 0), []));
            }
            finally
            {
                _leases.TryRemove(assign.JobId, out _);
                cancel.Dispose();
            }
        }, CancellationToken.None);
        _leases[assign.JobId] = new RunningLease(assign.Epoch, cancel, run);
        start.SetResult();
    }

    /// <summary>
    /// The only sender on the socket: pending reports in order (a message leaves the outbox only once sent), and a
    /// heartbeat whenever nothing else was sent for a heartbeat interval.
    /// </summary>
    private async Task WriteLoopAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var reader = _outbox.Reader;
        while (!ct.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                wait.CancelAfter(_heartbeat);
                try
                {
                    await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await GatewayFraming.SendAsync(socket, new Heartbeat(DateTimeOffset.UtcNow), OpenGridJsonContext.Default.ProviderMessage, ct);
                    continue;
                }
            }
            while (reader.TryPeek(out var message))
            {
                await GatewayFraming.SendAsync(socket, message, OpenGridJsonContext.Default.ProviderMessage, ct);
                reader.TryRead(out _);
            }
        }
    }

    private static async Task<CoordinatorMessage?> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        try
        {
            return await GatewayFraming.ReceiveAsync(socket, OpenGridJsonContext.Default.CoordinatorMessage, ct);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to coordinator {Coordinator}, holding {Leases} lease(s)")]
    private partial void LogConnected(Uri coordinator, int leases);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnected from coordinator {Coordinator}; {Leases} lease(s) keep running")]
    private partial void LogDisconnected(Uri coordinator, int leases);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach coordinator {Coordinator}: {Why}; retrying in {Seconds}s")]
    private partial void LogConnectionFailed(Uri coordinator, string why, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelling job {JobId}: {Reason}")]
    private partial void LogCancelRequested(string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Coordinator rejected a report on job {JobId}: {Code} {Why}")]
    private partial void LogRejected(string? jobId, string code, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Running job {JobId} crashed")]
    private partial void LogLeaseCrashed(string jobId, Exception e);
}
