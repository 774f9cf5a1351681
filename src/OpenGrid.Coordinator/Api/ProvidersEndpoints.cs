using System.Security.Claims;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Verification;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary><c>/v1/providers</c>: public view of providers, their hardware, sandbox enforcement and state.</summary>
public static class ProvidersEndpoints
{
    public static void MapProvidersEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/providers", async (ConnectedProviders providers, IJobStore store, TrustLedger trust, CancellationToken ct) =>
            Results.Ok(new ProviderListView(await ListAsync(providers, store, trust, ct)))).WithTags("providers");

        app.MapGet("/v1/providers/{address}/reputation", async (string address, TrustLedger trust, CancellationToken ct) =>
        {
            if (!Address.TryParse(address, out var provider))
                return Problems.Result(ErrorCodes.RequestInvalid, $"'{address}' is not a 0x-prefixed 20-byte hex address");
            var scores = await trust.ScoresAsync(ct);
            var events = await trust.HistoryAsync(provider, 200, ct);
            return Results.Ok(new ReputationView(provider.Value, scores.TryGetValue(provider, out var score) ? score : trust.Neutral,
                events.Select(e => new TrustEventView(e.Event, e.Job.ToString(), e.JobClass, e.ScoreAfter, e.At)).ToList()));
        }).WithTags("providers");

        app.MapGet("/v1/providers/events", ProviderEventsEndpoint.StreamAsync).WithTags("providers");

        app.MapPost("/v1/providers/drain", async (DrainRequest request, ClaimsPrincipal user, IJobStore store, JobSignals signals, CancellationToken ct) =>
        {
            var provider = user.Account();
            await store.SetDrainingAsync(provider, request.Draining, ct);
            signals.SchedulingChance();
            var active = await store.ListActiveForProviderAsync(provider, ct);
            return Results.Ok(new DrainView(provider.Value, request.Draining, active.Count));
        }).WithTags("providers").RequireAuthorization();
        ProviderGateway.Map(app);
    }

    /// <summary>Every provider this coordinator knows: the connected ones in connection order, then the offline ones.</summary>
    internal static async Task<IReadOnlyList<ProviderView>> ListAsync(ConnectedProviders providers, IJobStore store, TrustLedger trust, CancellationToken ct)
    {
        var views = new List<ProviderView>();
        var draining = await store.ListDrainingAsync(ct);
        var scores = await trust.ScoresAsync(ct);
        double ScoreOf(Address a) => scores.TryGetValue(a, out var s) ? s : trust.Neutral;
        foreach (var s in providers.Online)
        {
            var active = await store.ListActiveForProviderAsync(s.Address, ct);
            var state = draining.Contains(s.Address) ? "draining" : active.Count > 0 ? "busy" : "idle";
            views.Add(s.ToView(state, active, ScoreOf(s.Address)));
        }
        views.AddRange(providers.Offline.Select(s => s.ToView("offline", [], ScoreOf(s.Address))));
        return views;
    }
}
