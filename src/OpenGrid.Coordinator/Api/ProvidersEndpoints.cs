using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary><c>/v1/providers</c>: public view of providers, their hardware, sandbox enforcement and state.</summary>
public static class ProvidersEndpoints
{
    public static void MapProvidersEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/providers", async (ConnectedProviders providers, IJobStore store, CancellationToken ct) =>
        {
            var views = new List<ProviderView>();
            foreach (var s in providers.Online)
            {
                var active = await store.ListActiveForProviderAsync(s.Address, ct);
                views.Add(s.ToView(active.Count > 0 ? "busy" : "idle", active.Count > 0 ? active[0].Id.ToString() : null));
            }
            views.AddRange(providers.Offline.Select(s => s.ToView("offline", null)));
            return Results.Ok(new ProviderListView(views));
        }).WithTags("providers");
        ProviderGateway.Map(app);
    }
}
