using System.Globalization;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// One Server-Sent Events response: the headers, <c>event:</c>/<c>id:</c>/<c>data:</c> blocks flushed one by one, and
/// a <c>: keep-alive</c> comment whenever nothing was sent for 15 s. <see cref="Stopped"/> ends when the client
/// leaves or the host shuts down, so an endless stream never holds up a shutdown; the client reconnects.
/// </summary>
internal sealed class EventStream : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private readonly HttpContext _context;
    private readonly CancellationTokenSource _stopped;

    private EventStream(HttpContext context, CancellationTokenSource stopped)
    {
        _context = context;
        _stopped = stopped;
    }

    /// <summary>Cancelled when the client goes away or the host stops.</summary>
    public CancellationToken Stopped => _stopped.Token;

    public static async Task<EventStream> StartAsync(HttpContext context)
    {
        var lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        var stream = new EventStream(context,
            CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping));
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.Body.FlushAsync(stream.Stopped);
        return stream;
    }

    /// <summary>Writes one event (<paramref name="json"/> is one line) and flushes it.</summary>
    public async Task WriteAsync(string name, string json, long? id = null)
    {
        var idLine = id is { } n ? "id: " + n.ToString(CultureInfo.InvariantCulture) + "\n" : "";
        await _context.Response.WriteAsync($"event: {name}\n{idLine}data: {json}\n\n", Stopped);
        await _context.Response.Body.FlushAsync(Stopped);
    }

    /// <summary>Waits until <paramref name="signal"/> completes, sending a keep-alive comment every 15 s meanwhile.</summary>
    public async Task WaitAsync(Task signal)
    {
        while (true)
        {
            try
            {
                await signal.WaitAsync(KeepAlive, Stopped);
                return;
            }
            catch (TimeoutException)
            {
                await _context.Response.WriteAsync(": keep-alive\n\n", Stopped);
                await _context.Response.Body.FlushAsync(Stopped);
            }
        }
    }

    public void Dispose() => _stopped.Dispose();
}
