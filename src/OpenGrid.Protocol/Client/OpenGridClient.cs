using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Escrow;

namespace OpenGrid.Protocol.Client;

/// <summary>
/// A typed client of the coordinator's REST API, used by the CLI, the provider agent and the tests. Signs in with
/// the account's key on first use (challenge → signature → bearer token) and again when the token expires.
/// Errors come back as <see cref="OpenGridApiException"/> carrying the stable code.
/// </summary>
public sealed class OpenGridClient(HttpClient http, Identity.Identity identity)
{
    private readonly SemaphoreSlim _signInLock = new(1, 1);
    private TokenResponse? _token;
    private Task<ChainView?>? _chain;

    public Uri BaseAddress => http.BaseAddress ?? throw new InvalidOperationException("HttpClient.BaseAddress is not set");

    public Identity.Identity Identity => identity;

    /// <summary>A valid bearer token, signing in when there is none or it is about to expire.</summary>
    public async Task<string> GetTokenAsync(CancellationToken ct)
    {
        if (_token is { } t && t.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30))
            return t.Token;
        await _signInLock.WaitAsync(ct);
        try
        {
            if (_token is { } again && again.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(30))
                return again.Token;
            var challenge = await SendAsync(
                HttpMethod.Post, "v1/auth/challenge", new ChallengeRequest(identity.Address.Value),
                OpenGridJsonContext.Default.ChallengeRequest, OpenGridJsonContext.Default.ChallengeResponse, auth: false, ct);
            var signature = identity.SignMessage(challenge.Challenge);
            _token = await SendAsync(
                HttpMethod.Post, "v1/auth/token", new TokenRequest(identity.Address.Value, challenge.Challenge, signature),
                OpenGridJsonContext.Default.TokenRequest, OpenGridJsonContext.Default.TokenResponse, auth: false, ct);
            return _token.Token;
        }
        finally
        {
            _signInLock.Release();
        }
    }

    /// <summary>
    /// Signs in and asks where the coordinator settles payments, as a submit will, so that both round trips can run
    /// while the caller does other work (hashing inputs); the later calls reuse the results.
    /// </summary>
    public Task PrepareToSubmitAsync(CancellationToken ct) => Task.WhenAll(GetTokenAsync(ct), ChainOnceAsync(ct));

    public Task<InfoView> InfoAsync(CancellationToken ct) =>
        GetAsync("v1/info", OpenGridJsonContext.Default.InfoView, auth: false, ct);

    /// <summary>Posts the request as it is (with or without an authorization).</summary>
    public Task<JobView> SubmitAsync(SubmitJobRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v1/jobs", request, OpenGridJsonContext.Default.SubmitJobRequest, OpenGridJsonContext.Default.JobView, auth: true, ct);

    /// <summary>
    /// Submits a job whose spec text (<c>request.Spec</c>) parsed as <paramref name="spec"/>. When the coordinator settles
    /// payments (<c>GET /v1/chain</c>, asked once per client) the request carries the requester's authorization for the
    /// escrow, signed here with this client's identity (<see cref="JobAuthorizer"/>); the key never leaves the client.
    /// </summary>
    public async Task<JobView> SubmitAsync(SubmitJobRequest request, JobSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var chain = await ChainOnceAsync(ct);
        return await SubmitAsync(JobAuthorizer.Authorize(request, spec, chain, identity, DateTimeOffset.UtcNow), ct);
    }

    /// <summary><see cref="FindChainAsync"/>, asked once per client (again after a failure).</summary>
    private Task<ChainView?> ChainOnceAsync(CancellationToken ct)
    {
        var chain = _chain;
        if (chain is null || chain.IsFaulted || chain.IsCanceled)
            _chain = chain = FindChainAsync(ct);
        return chain;
    }

    public Task<JobView> GetJobAsync(string id, CancellationToken ct) =>
        GetAsync($"v1/jobs/{Uri.EscapeDataString(id)}", OpenGridJsonContext.Default.JobView, auth: true, ct);

    /// <summary>The job's proof pack (receipts, verdict, outputs, settlement) for <c>og verify</c>.</summary>
    public Task<Receipts.ProofPack> GetProofAsync(string id, CancellationToken ct) =>
        GetAsync($"v1/jobs/{Uri.EscapeDataString(id)}/proof", OpenGridJsonContext.Default.ProofPack, auth: true, ct);

    public Task<JobListView> ListJobsAsync(string? state, CancellationToken ct) =>
        GetAsync(state is null ? "v1/jobs" : $"v1/jobs?state={Uri.EscapeDataString(state)}", OpenGridJsonContext.Default.JobListView, auth: true, ct);

    public Task<JobView> CancelAsync(string id, CancellationToken ct) =>
        SendAsync<object?, JobView>(HttpMethod.Post, $"v1/jobs/{Uri.EscapeDataString(id)}/cancel", null, null, OpenGridJsonContext.Default.JobView, auth: true, ct);

    /// <summary>As a provider: stop (or resume) taking new leases; running ones finish.</summary>
    public Task<DrainView> DrainAsync(bool draining, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v1/providers/drain", new DrainRequest(draining), OpenGridJsonContext.Default.DrainRequest, OpenGridJsonContext.Default.DrainView, auth: true, ct);

    /// <summary>What a spec would cost and who could run it; nothing is submitted.</summary>
    public Task<PlanView> PlanAsync(PlanRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v1/plan", request, OpenGridJsonContext.Default.PlanRequest, OpenGridJsonContext.Default.PlanView, auth: true, ct);

    /// <summary>Order book depth per resource class and recent clearing prices (public).</summary>
    public Task<MarketView> MarketAsync(CancellationToken ct) =>
        GetAsync("v1/market", OpenGridJsonContext.Default.MarketView, auth: false, ct);

    /// <summary>Where the coordinator settles payments, or null when it settles none (<c>chain.not_configured</c>).</summary>
    public async Task<ChainView?> FindChainAsync(CancellationToken ct)
    {
        try
        {
            return await GetChainAsync(ct);
        }
        catch (OpenGridApiException e) when (e.Code == ErrorCodes.ChainNotConfigured)
        {
            return null;
        }
    }

    /// <summary>Where the coordinator settles payments (public); <c>chain.not_configured</c> when it settles none.</summary>
    public Task<ChainView> GetChainAsync(CancellationToken ct) =>
        GetAsync("v1/chain", OpenGridJsonContext.Default.ChainView, auth: false, ct);

    /// <summary>The signed-in account's wallet, escrow and stake balances, read from the chain.</summary>
    public Task<BalanceView> GetBalanceAsync(CancellationToken ct) =>
        GetAsync("v1/balance", OpenGridJsonContext.Default.BalanceView, auth: true, ct);

    public Task<ProviderListView> ListProvidersAsync(CancellationToken ct) =>
        GetAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView, auth: false, ct);

    /// <summary>Streams a body into the content store; reports bytes sent to <paramref name="progress"/>.</summary>
    public async Task<ContentPutResponse> UploadAsync(Stream body, long? length, IProgress<long>? progress, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/content")
        {
            Content = new ProgressStreamContent(body, progress),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (length is { } l)
            request.Content.Headers.ContentLength = l;
        return await SendRawAsync(request, OpenGridJsonContext.Default.ContentPutResponse, auth: true, ct);
    }

    /// <summary>
    /// Whether the content store holds <paramref name="cid"/> and this account may read it (<c>HEAD /v1/content/{cid}</c>):
    /// then a job can use it without uploading it again. False when it is absent or not this account's to use, and
    /// from a coordinator that does not answer HEAD.
    /// </summary>
    public async Task<bool> HasContentAsync(Cid cid, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"v1/content/{cid}");
        using var response = await SendWithAuthAsync(request, auth: true, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.MethodNotAllowed)
            return false;
        await EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <summary>
    /// Downloads content into <paramref name="destination"/>, re-hashing every byte; throws
    /// <see cref="OpenGridApiException"/> with <see cref="ErrorCodes.ContentCorrupt"/> when the bytes do not hash to
    /// <paramref name="cid"/>. The caller must discard what was written in that case.
    /// </summary>
    public async Task<long> DownloadAsync(Cid cid, Stream destination, IProgress<long>? progress, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/content/{cid}");
        using var response = await SendWithAuthAsync(request, auth: true, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var builder = new UnixFsCidBuilder();
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            builder.Append(buffer.AsSpan(0, n));
            await destination.WriteAsync(buffer.AsMemory(0, n), ct);
            total += n;
            progress?.Report(total);
        }
        var actual = builder.Complete();
        if (actual != cid)
            throw new OpenGridApiException(0, new ProblemView(null, "Content does not match its CID", 0,
                $"expected {cid}, the bytes received hash to {actual}", ErrorCodes.ContentCorrupt));
        return total;
    }

    /// <inheritdoc cref="StreamLogsAsync(string, bool, long?, CancellationToken)"/>
    public IAsyncEnumerable<object> StreamLogsAsync(string id, bool follow, CancellationToken ct) =>
        StreamLogsAsync(id, follow, after: null, ct);

    /// <summary>
    /// A job's log as server-sent events: every stored chunk after <paramref name="after"/> (a
    /// <see cref="LogChunkView.Seq"/>; null for all), then (with <paramref name="follow"/>) live chunks until the job
    /// ends, closing with a <see cref="JobEndView"/>. When following, the job itself comes too, as a
    /// <see cref="JobView"/> first and again at each change; callers skip what they do not need.
    /// </summary>
    public async IAsyncEnumerable<object> StreamLogsAsync(string id, bool follow, long? after, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"v1/jobs/{Uri.EscapeDataString(id)}/logs?follow={(follow ? "true" : "false")}";
        if (after is { } resume)
            path += "&after=" + resume.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await SendWithAuthAsync(request, auth: true, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? eventName = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    var payload = data.ToString();
                    data.Clear();
                    switch (eventName)
                    {
                        case "log":
                            yield return JsonSerializer.Deserialize(payload, OpenGridJsonContext.Default.LogChunkView)!;
                            break;
                        case "state":
                            yield return JsonSerializer.Deserialize(payload, OpenGridJsonContext.Default.JobView)!;
                            break;
                        case "end":
                            yield return JsonSerializer.Deserialize(payload, OpenGridJsonContext.Default.JobEndView)!;
                            yield break;
                    }
                }
                eventName = null;
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
                eventName = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
                data.Append(line.AsSpan(5).TrimStart(' '));
        }
    }

    private Task<TResponse> GetAsync<TResponse>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType, bool auth, CancellationToken ct) =>
        SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path), responseType, auth, ct);

    private Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method,
        string path,
        TRequest body,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest>? requestType,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType,
        bool auth,
        CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, path);
        if (requestType is not null)
            request.Content = JsonContent.Create(body, requestType);
        return SendRawAsync(request, responseType, auth, ct);
    }

    private async Task<TResponse> SendRawAsync<TResponse>(
        HttpRequestMessage request,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType,
        bool auth,
        CancellationToken ct)
    {
        using (request)
        {
            using var response = await SendWithAuthAsync(request, auth, HttpCompletionOption.ResponseContentRead, ct);
            await EnsureSuccessAsync(response, ct);
            return (await response.Content.ReadFromJsonAsync(responseType, ct))
                ?? throw new InvalidDataException($"{request.RequestUri} answered an empty body");
        }
    }

    private async Task<HttpResponseMessage> SendWithAuthAsync(HttpRequestMessage request, bool auth, HttpCompletionOption completion, CancellationToken ct)
    {
        if (auth)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await GetTokenAsync(ct));
        try
        {
            return await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CoordinatorUnreachableException(BaseAddress, e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
            return;
        ProblemView? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView, ct);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not a ProblemDetails body (a proxy, a crash page): fall back to the status line.
        }
        throw new OpenGridApiException((int)response.StatusCode,
            problem ?? new ProblemView(null, response.ReasonPhrase, (int)response.StatusCode, null, null));
    }

    /// <summary>Upload body that reports progress as the transport pulls bytes.</summary>
    private sealed class ProgressStreamContent(Stream source, IProgress<long>? progress) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            long sent = 0;
            int n;
            while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                sent += n;
                progress?.Report(sent);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Headers.ContentLength ?? -1;
            return length >= 0;
        }
    }
}

/// <summary>The coordinator answered an error. <see cref="Code"/> is the stable error code when it sent one.</summary>
public sealed class OpenGridApiException(int status, ProblemView problem)
    : Exception(problem.Detail ?? problem.Title ?? $"HTTP {status}")
{
    public int Status => status;
    public ProblemView Problem => problem;
    public string? Code => problem.Code;
}

/// <summary>The coordinator could not be reached at all.</summary>
public sealed class CoordinatorUnreachableException(Uri address, Exception inner)
    : Exception($"cannot reach the coordinator at {address}: {inner.Message}", inner);
