using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>One Server-Sent Event as it came over the wire: its name, its id line (if any) and its data.</summary>
public sealed record ServerSentEvent(string Name, string? Id, string Data)
{
    public T Json<T>(JsonTypeInfo<T> type) => JsonSerializer.Deserialize(Data, type)!;
}

/// <summary>
/// Reads a Server-Sent Events response one event at a time, with the raw <c>id:</c> lines a typed client hides.
/// Comments (keep-alives) are skipped. Every wait has a deadline whose message names what was awaited.
/// </summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamReader(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    /// <summary>Opens <paramref name="path"/>; fails unless it answers 200 text/event-stream.</summary>
    public static async Task<EventStreamReader> OpenAsync(HttpClient http, string path, string? token = null, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStreamAsync();
        return new EventStreamReader(response, new StreamReader(body, Encoding.UTF8));
    }

    /// <summary>The next event, or null when the server ended the stream.</summary>
    public async Task<ServerSentEvent?> NextAsync(string what)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        string? name = null, id = null;
        var data = new StringBuilder();
        try
        {
            while (await _reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                        return new ServerSentEvent(name ?? "message", id, data.ToString());
                    (name, id) = (null, null);
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                    name = line[6..].Trim();
                else if (line.StartsWith("id:", StringComparison.Ordinal))
                    id = line[3..].Trim();
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                    data.Append(line.AsSpan(5).TrimStart(' '));
            }
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no event within {Timeout.TotalSeconds}s while waiting for {what}");
        }
    }

    /// <summary>Reads events until one named <paramref name="name"/> satisfies <paramref name="match"/>; returns it and what came before.</summary>
    public async Task<(ServerSentEvent Match, List<ServerSentEvent> Before)> UntilAsync(string name, Func<ServerSentEvent, bool> match, string what)
    {
        var before = new List<ServerSentEvent>();
        while (true)
        {
            var next = await NextAsync(what) ?? throw new InvalidOperationException($"the stream ended while waiting for {what}");
            if (next.Name == name && match(next))
                return (next, before);
            before.Add(next);
        }
    }

    /// <summary>Every event until the server ends the stream.</summary>
    public async Task<List<ServerSentEvent>> ToEndAsync(string what)
    {
        var all = new List<ServerSentEvent>();
        while (await NextAsync(what) is { } next)
            all.Add(next);
        return all;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
