using System.Security.Claims;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Scheduling;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Market;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Api;

/// <summary><c>/v1/plan</c> (what a spec would cost and who could run it) and <c>/v1/market</c> (order book depth).</summary>
public static class MarketEndpoints
{
    private const int RecentClearing = 20;

    public static void MapMarketEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/plan", async (PlanRequest request, ClaimsPrincipal user, OrderBook book, Matcher matcher, TimeProvider time,
            Microsoft.Extensions.Options.IOptions<CoordinatorOptions> options, CancellationToken ct) =>
        {
            var fileName = string.IsNullOrWhiteSpace(request.FileName) ? "job.yaml" : Path.GetFileName(request.FileName);
            var parsed = JobSpecParser.Parse(request.Spec ?? "", fileName);
            if (parsed.Spec is not { } spec)
            {
                var errors = parsed.Errors.Select(e => new SpecErrorView(e.File, e.Line, e.Column, e.Path, e.Message)).ToList();
                return Problems.Result(new Rejection(ErrorCodes.SpecInvalid, $"{errors.Count} error(s) in {fileName}: {parsed.Errors[0]}"), errors);
            }
            var bid = OrderBook.BidFor(JobId.New(time), user.Account(), spec, time.GetUtcNow(), [], options.Value.Trust.ReputationFloor);
            var explanation = matcher.Explain(bid, await book.OffersAsync(ct));
            return Results.Ok(new PlanView(
                spec.Name,
                explanation.Cost?.MinForTimeout.ToString(),
                explanation.Cost?.MaxForTimeout.ToString(),
                explanation.Feasible.Select(f => new PlanProviderView(f.Provider.Value, f.Name, f.PricePerHour.ToString(), f.CostForTimeout.ToString())).ToList(),
                explanation.Rejected.Select(r => new PlanRejectionView(r.Provider.Value, r.Name, r.Reason)).ToList()));
        }).WithTags("market").RequireAuthorization();

        app.MapGet("/v1/market", async (OrderBook book, IJobStore store, CancellationToken ct) =>
        {
            var (bids, offers) = await book.SnapshotAsync(ct);
            var classes = new SortedDictionary<string, MarketClassView>(StringComparer.Ordinal);
            foreach (var offer in offers)
            {
                foreach (var cls in ClassesOf(offer))
                {
                    var view = classes.GetValueOrDefault(cls) ?? new MarketClassView(cls, 0, 0, 0, 0, 0, null);
                    var ask = cls == "cpu" ? offer.Prices.PerCpuCoreHour : offer.Prices.PerGpuHourDefault;
                    var lowest = view.LowestAsk is { } l && TokenAmount.TryParse(l, out var current) && current.BaseUnits <= ask.BaseUnits ? l : ask.ToString();
                    classes[cls] = view with
                    {
                        Offers = view.Offers + 1,
                        FreeCpuMillis = view.FreeCpuMillis + offer.Free.CpuMillis,
                        FreeMemoryBytes = view.FreeMemoryBytes + offer.Free.MemoryBytes,
                        FreeGpus = view.FreeGpus + (cls == "cpu" ? 0 : offer.Free.Gpus.Count),
                        LowestAsk = lowest,
                    };
                }
            }
            foreach (var bid in bids)
            {
                var cls = ClassOf(bid.Resources);
                var view = classes.GetValueOrDefault(cls) ?? new MarketClassView(cls, 0, 0, 0, 0, 0, null);
                classes[cls] = view with { Bids = view.Bids + 1 };
            }
            var recent = (await store.ListRecentLeasesAsync(RecentClearing, ct))
                .Where(x => x.Attempt.PricePerHour is not null)
                .Select(x => new ClearingView(ClassOf(x.Job.Spec.Resources), x.Job.Id.ToString(), x.Attempt.Provider.Value,
                    x.Attempt.PricePerHour!.Value.ToString(), x.Attempt.AssignedAt))
                .ToList();
            return Results.Ok(new MarketView(classes.Values.ToList(), recent));
        }).WithTags("market");
    }

    /// <summary>A job's resource class: <c>cpu</c>, or <c>gpu:&lt;model or any&gt;</c> when it asks for GPUs.</summary>
    private static string ClassOf(ResourceRequest r) => r.Gpu.Count == 0 ? "cpu" : "gpu:" + (r.Gpu.Model ?? "any");

    private static IEnumerable<string> ClassesOf(Offer offer)
    {
        yield return "cpu";
        foreach (var model in offer.Capacity.Gpus.Select(g => g.Model).Distinct(StringComparer.Ordinal))
            yield return "gpu:" + model;
    }
}
