using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Cli.Tests;

/// <summary>
/// An in-memory coordinator for CLI tests: answers sign-in, that it settles no payments (<c>GET v1/chain</c>: 404
/// chain.not_configured, until a test routes it), and whatever routes a test adds (<c>"GET v1/jobs/abc"</c> → a
/// response). Anything else is a 404 without a body.
/// </summary>
internal sealed class FakeCoordinator : HttpMessageHandler
{
    public static readonly Uri Url = new("http://coordinator.test/");

    private readonly Dictionary<string, Func<HttpRequestMessage, HttpResponseMessage>> _routes = new(StringComparer.Ordinal);

    public FakeCoordinator()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        Json("POST v1/auth/challenge", new ChallengeResponse("sign me", expires), OpenGridJsonContext.Default.ChallengeResponse);
        Json("POST v1/auth/token", new TokenResponse("token", "0x0000000000000000000000000000000000000001", expires),
            OpenGridJsonContext.Default.TokenResponse);
        Problem("GET v1/chain", 404, Core.ErrorCodes.ChainNotConfigured);
    }

    /// <summary>Requests seen, as <c>"METHOD path"</c>.</summary>
    public List<string> Requests { get; } = [];

    public void Route(string methodAndPath, Func<HttpRequestMessage, HttpResponseMessage> respond) => _routes[methodAndPath] = respond;

    public void Json<T>(string methodAndPath, T body, JsonTypeInfo<T> type, HttpStatusCode status = HttpStatusCode.OK) =>
        Route(methodAndPath, _ => new HttpResponseMessage(status)
        {
            Content = new StringContent(JsonSerializer.Serialize(body, type), Encoding.UTF8, "application/json"),
        });

    public void Problem(string methodAndPath, int status, string code) =>
        Route(methodAndPath, _ => new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new ProblemView(null, "Rejected", status, $"the coordinator says {code}", code),
                    OpenGridJsonContext.Default.ProblemView),
                Encoding.UTF8, "application/problem+json"),
        });

    public void Bytes(string methodAndPath, byte[] bytes) =>
        Route(methodAndPath, _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) });

    /// <summary>A log stream: each chunk as <c>event: log</c>, then <c>event: end</c> when <paramref name="end"/> is set.</summary>
    public void Logs(string jobId, IEnumerable<LogChunkView> chunks, JobEndView? end)
    {
        var sse = new StringBuilder();
        foreach (var chunk in chunks)
            sse.Append("event: log\ndata: ").Append(JsonSerializer.Serialize(chunk, OpenGridJsonContext.Default.LogChunkView)).Append("\n\n");
        if (end is not null)
            sse.Append("event: end\ndata: ").Append(JsonSerializer.Serialize(end, OpenGridJsonContext.Default.JobEndView)).Append("\n\n");
        var text = sse.ToString();
        Route($"GET v1/jobs/{jobId}/logs", _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(text, Encoding.UTF8, "text/event-stream"),
        });
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = $"{request.Method} {request.RequestUri!.AbsolutePath.TrimStart('/')}";
        lock (Requests)
            Requests.Add(key); // og may follow several jobs at once (a split)
        if (request.Content is not null)
            await request.Content.ReadAsByteArrayAsync(cancellationToken); // drain uploads as the network would
        return _routes.TryGetValue(key, out var respond)
            ? respond(request)
            : new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    /// <summary>A job view with the given state and outputs; everything else plausible.</summary>
    public static JobView Job(string id, string state, int? exitCode = null, params OutputFileView[] outputs) => new(
        id, "hello", state, "0x0000000000000000000000000000000000000001",
        DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "0x0000000000000000000000000000000000000002", exitCode, null,
        new ResourcesView(500, 128L << 20, 64L << 20, 0, 60), [], [], outputs);
}
