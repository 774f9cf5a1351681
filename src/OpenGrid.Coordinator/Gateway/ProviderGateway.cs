using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Gateway;

namespace OpenGrid.Coordinator.Gateway;

/// <summary>
/// Serves <c>/v1/providers/connect</c>: one WebSocket per provider. The first message must be a hello; after that
/// the provider heartbeats and reports, and the coordinator pushes assignments and cancellations. A provider
/// silent for three heartbeats is dropped.
/// </summary>
public sealed partial class ProviderGateway(
    ConnectedProviders providers,
    JobLifecycle lifecycle,
    JobSignals signals,
    Verification.ReceiptLedger receipts,
    TimeProvider time,
    IOptions<CoordinatorOptions> options,
    ILogger<ProviderGateway> log)
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.Map("/v1/providers/connect", (HttpContext context, ProviderGateway gateway) => gateway.AcceptAsync(context))
            .RequireAuthorization()
            .ExcludeFromDescription();

    public async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Api.Problems.Write(context, new Core.Rejection(Core.ErrorCodes.RequestInvalid, "this endpoint speaks WebSocket only"));
            return;
        }
        var address = context.User.Account();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var silence = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds * 3 + 3);
        var aborted = context.RequestAborted;

        if (await ReceiveAsync(socket, silence, aborted) is not Hello hello)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "first message must be hello", CancellationToken.None);
            return;
        }
        var session = new ProviderSession(address, hello, time.GetUtcNow());
        providers.Connect(session);
        LogConnected(address, hello.Name, hello.Hardware.Cores);
        session.Send(new Welcome(address.Value, options.Value.HeartbeatSeconds,
            Protocol.Receipts.ReceiptDomainView.From(receipts.Domain), (await receipts.HeadAsync(address, aborted)).ToString()));
        await lifecycle.OnHelloAsync(session, aborted);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var sender = SendLoopAsync(socket, session, stop.Token);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var message = await ReceiveAsync(socket, silence, stop.Token);
                if (message is null)
                    break;
                session.LastSeen = time.GetUtcNow();
                if (message is Heartbeat)
                    continue;
                if (message is InputsCached cached)
                {
                    session.CachedInputs = cached.Cids.Take(1000).ToHashSet(StringComparer.Ordinal);
                    continue;
                }
                if (await lifecycle.OnProviderMessageAsync(address, message, CancellationToken.None) is { } rejected)
                    session.Send(rejected);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException)
        {
            LogDropped(address, e.Message);
        }
        finally
        {
            await stop.CancelAsync();
            await sender.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (providers.Disconnect(session))
            {
                // Its leases stay: the provider may reconnect within heartbeat + grace (LeaseMonitor decides).
                LogDisconnected(address);
                signals.SchedulingChance();
            }
        }
    }

    private static async Task SendLoopAsync(WebSocket socket, ProviderSession session, CancellationToken ct)
    {
        try
        {
            await foreach (var message in session.Outbox.ReadAllAsync(ct))
            {
                await GatewayFraming.SendAsync(socket, message, OpenGridJsonContext.Default.CoordinatorMessage, ct);
            }
            if (socket.State == WebSocketState.Open)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "replaced by a newer connection", CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The receive loop sees the same failure and cleans up.
        }
    }

    /// <summary>The next message, or null when the provider closed or stayed silent past <paramref name="silence"/>.</summary>
    private static async Task<ProviderMessage?> ReceiveAsync(WebSocket socket, TimeSpan silence, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(silence);
        try
        {
            return await GatewayFraming.ReceiveAsync(socket, OpenGridJsonContext.Default.ProviderMessage, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {ProviderId} ({Name}, {Cores} cores) connected")]
    private partial void LogConnected(Address providerId, string name, int cores);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {ProviderId} disconnected")]
    private partial void LogDisconnected(Address providerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {ProviderId} connection dropped: {Why}")]
    private partial void LogDropped(Address providerId, string why);
}
