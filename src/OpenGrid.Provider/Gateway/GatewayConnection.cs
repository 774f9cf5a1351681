using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Provider.Jobs;
using OpenGrid.Provider.Probe;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Gateway;

/// <summary>
/// The provider's side of the gateway: dials the coordinator, says hello, heartbeats, runs pushed leases and
/// cancels them on request. One writer task owns the socket's send side. When the connection drops, running
/// leases are stopped (the coordinator has already failed them) and the agent dials again with backoff.
/// </summary>
internal sealed partial class GatewayConnection(
    OpenGridClient client,
    ISandbox sandbox,
    MachineInventory inventory,
    ProviderAgentOptions options,
    ILogger log)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(ct);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or CoordinatorUnreachableException or OpenGridApiException or JsonException)
            {
                LogConnectionFailed(options.Coordinator, e.Message, backoff.TotalSeconds);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(backoff, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + await client.GetTokenAsync(ct));
        var uri = new UriBuilder(new Uri(options.Coordinator, "v1/providers/connect"))
        {
            Scheme = options.Coordinator.Scheme == "https" ? "wss" : "ws",
        }.Uri;
        await socket.ConnectAsync(uri, ct);
        LogConnected(options.Coordinator);

        using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var outbox = Channel.CreateUnbounded<ProviderMessage>(new UnboundedChannelOptions { SingleReader = true });
        ValueTask Send(ProviderMessage m) => outbox.Writer.WriteAsync(m, CancellationToken.None);
        var leases = new ConcurrentDictionary<string, (long Epoch, CancellationTokenSource Cancel, Task Run)>();

        await Send(new Hello(typeof(ProviderAgent).Assembly.GetName().Version?.ToString() ?? "0", options.Name,
            inventory.Hardware, inventory.Capabilities,
            new Protocol.Api.SandboxView(sandbox.Enforcement.Runtime, sandbox.Enforcement.CgroupVersion, sandbox.Enforcement.Enforced)));
        var writer = WriteLoopAsync(socket, outbox.Reader, connection.Token);
        var heartbeat = HeartbeatLoopAsync(Send, connection.Token);
        try
        {
            while (await ReceiveAsync(socket, connection.Token) is { } message)
            {
                switch (message)
                {
                    case Assign assign when !leases.ContainsKey(assign.JobId):
                        var cancel = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
                        var runner = new LeaseRunner(sandbox, client, Path.Combine(options.Home, "jobs"), Send, log);
                        var run = Task.Run(async () =>
                        {
                            try
                            {
                                await runner.RunAsync(assign, cancel.Token);
                            }
                            catch (Exception e)
                            {
                                LogLeaseCrashed(assign.JobId, e);
                                await Send(new JobFinished(assign.JobId, assign.Epoch, "failed", null,
                                    $"the provider agent failed: {e.Message}", new Protocol.Api.UsageView(0, 0, 0), []));
                            }
                            finally
                            {
                                leases.TryRemove(assign.JobId, out _);
                                cancel.Dispose();
                            }
                        }, CancellationToken.None);
                        leases[assign.JobId] = (assign.Epoch, cancel, run);
                        break;
                    case CancelLease c when leases.TryGetValue(c.JobId, out var lease) && lease.Epoch == c.Epoch:
                        LogCancelRequested(c.JobId, c.Reason);
                        await lease.Cancel.CancelAsync();
                        break;
                    case Rejected r:
                        LogRejected(r.JobId, r.Code, r.Message);
                        break;
                }
            }
        }
        finally
        {
            await connection.CancelAsync();
            await Task.WhenAll(leases.Values.Select(l => l.Run)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            outbox.Writer.TryComplete();
            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            LogDisconnected(options.Coordinator);
        }
    }

    private async Task HeartbeatLoopAsync(Func<ProviderMessage, ValueTask> send, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.HeartbeatSeconds));
        while (await timer.WaitForNextTickAsync(ct))
            await send(new Heartbeat(DateTimeOffset.UtcNow));
    }

    private static async Task WriteLoopAsync(ClientWebSocket socket, ChannelReader<ProviderMessage> outbox, CancellationToken ct)
    {
        await foreach (var message in outbox.ReadAllAsync(ct))
            await GatewayFraming.SendAsync(socket, message, OpenGridJsonContext.Default.ProviderMessage, ct);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to coordinator {Coordinator}")]
    private partial void LogConnected(Uri coordinator);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnected from coordinator {Coordinator}")]
    private partial void LogDisconnected(Uri coordinator);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach coordinator {Coordinator}: {Why}; retrying in {Seconds}s")]
    private partial void LogConnectionFailed(Uri coordinator, string why, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelling job {JobId}: {Reason}")]
    private partial void LogCancelRequested(string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Coordinator rejected a report on job {JobId}: {Code} {Why}")]
    private partial void LogRejected(string? jobId, string code, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Running job {JobId} crashed")]
    private partial void LogLeaseCrashed(string jobId, Exception e);
}
