using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>The real coordinator in-process over a throwaway data dir, with a small content cap.</summary>
public sealed class CoordinatorFactory : WebApplicationFactory<Program>
{
    public const long MaxContentBytes = 64 * 1024;

    private readonly TempDir? _ownData;
    private readonly string _dataDir;

    public CoordinatorFactory()
    {
        _ownData = new TempDir("opengrid-coordinator");
        _dataDir = _ownData.Path;
    }

    private CoordinatorFactory(string dataDir) => _dataDir = dataDir;

    /// <summary>A coordinator over an existing data dir (to restart one over the same state).</summary>
    public static CoordinatorFactory Over(string dataDir) => new(dataDir);

    /// <summary>The data dir, to start another coordinator over it.</summary>
    public string DataDir => _dataDir;

    /// <summary>More settings (e.g. <c>Coordinator:Chain:*</c>), applied after the defaults; set them before the first request.</summary>
    public Dictionary<string, string> Settings { get; } = [];

    /// <summary>The coordinator's clock (e.g. a <c>FakeTimeProvider</c>); the system clock when null. Set it before the first request.</summary>
    public TimeProvider? Time { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Coordinator:DataDir", _dataDir);
        builder.UseSetting("Coordinator:MaxContentBytes", MaxContentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Coordinator:HeartbeatSeconds", "1");
        builder.UseSetting("Coordinator:LeaseGraceSeconds", "1");
        builder.UseSetting("Coordinator:RetryBackoff", "00:00:00.100");
        builder.UseSetting("Coordinator:MaxAttempts", "2");
        // The fake providers here send reports by hand, without signed receipts (the agent's receipts are tested end to end).
        builder.UseSetting("Coordinator:Trust:RequireReceipts", "false");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        if (Time is { } time)
        {
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(time);
            });
        }
    }

    /// <summary>A client signed in as a fresh account.</summary>
    public OpenGridClient NewClient(Identity? identity = null) => new(CreateClient(), identity ?? Identity.Generate());

    /// <summary>Opens a provider gateway connection as <paramref name="identity"/> and says hello.</summary>
    public async Task<FakeProviderConnection> ConnectProviderAsync(Identity identity, string name, int cores = 2, long memory = 4L << 30,
        IReadOnlyList<LeaseRef>? runningLeases = null, IReadOnlyList<string>? cachedInputs = null, OfferTermsView? terms = null)
    {
        var token = await NewClient(identity).GetTokenAsync(CancellationToken.None);
        var ws = Server.CreateWebSocketClient();
        ws.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + token;
        var socket = await ws.ConnectAsync(new Uri(Server.BaseAddress, "v1/providers/connect"), CancellationToken.None);
        var connection = new FakeProviderConnection(socket);
        await connection.SendAsync(new Hello("test", name,
            new HardwareView("test cpu", cores, memory, 10L << 30, []), ["runtime:process"],
            new SandboxView("test", "none", []), runningLeases, terms, cachedInputs));
        var welcome = await connection.ReceiveAsync();
        Assert.IsType<Welcome>(welcome);
        return connection;
    }

    /// <summary>Opens a provider connection that keeps heartbeating in the background until disposed.</summary>
    public async Task<FakeProviderConnection> ConnectLiveProviderAsync(Identity identity, string name, IReadOnlyList<LeaseRef>? runningLeases = null,
        IReadOnlyList<string>? cachedInputs = null, OfferTermsView? terms = null)
    {
        var connection = await ConnectProviderAsync(identity, name, runningLeases: runningLeases, cachedInputs: cachedInputs, terms: terms);
        connection.StartHeartbeats(TimeSpan.FromMilliseconds(300));
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _ownData?.Dispose();
    }
}

/// <summary>
/// The gateway protocol from the provider's side, driven by a test: used to check what the coordinator accepts
/// from providers. Not a provider: it runs nothing.
/// </summary>
public sealed class FakeProviderConnection(WebSocket socket) : IAsyncDisposable
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _heartbeats = Task.CompletedTask;

    public async Task SendAsync(ProviderMessage message)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, OpenGridJsonContext.Default.ProviderMessage);
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void StartHeartbeats(TimeSpan every) => _heartbeats = Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(_stop.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result))
            await SendAsync(new Heartbeat(DateTimeOffset.UtcNow));
    });

    /// <summary>Skips messages until one of type <typeparamref name="T"/> arrives (each wait bounded like <see cref="ReceiveAsync"/>).</summary>
    public async Task<T> ReceiveUntilAsync<T>() where T : CoordinatorMessage
    {
        while (true)
        {
            if (await ReceiveAsync() is T wanted)
                return wanted;
        }
    }

    public async Task<CoordinatorMessage> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(ReceiveTimeout);
        var buffer = new byte[64 * 1024];
        using var ms = new MemoryStream();
        try
        {
            while (true)
            {
                var r = await socket.ReceiveAsync(buffer, cts.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                    throw new InvalidOperationException("the coordinator closed the gateway connection");
                ms.Write(buffer, 0, r.Count);
                if (r.EndOfMessage)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no gateway message from the coordinator within {ReceiveTimeout.TotalSeconds}s");
        }
        return JsonSerializer.Deserialize(ms.ToArray(), OpenGridJsonContext.Default.CoordinatorMessage)!;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "test done", CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or WebSocketException)
        {
            // The coordinator already went away (the test host shut down first).
        }
        socket.Dispose();
    }
}
