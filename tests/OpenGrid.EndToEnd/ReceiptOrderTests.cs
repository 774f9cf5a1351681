using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.EndToEnd;

/// <summary>
/// Receipts form one hash chain per provider, so a provider running many jobs at once must deliver them in chain
/// order. (They used to be signed, then sent, by each attempt on its own: a later receipt could overtake the one it
/// links to, the coordinator refused it as a broken chain — and every receipt of that provider after it.)
/// </summary>
[Collection(nameof(GridCollection))]
public sealed class ReceiptOrderTests(GridFixture grid)
{
    private const int Jobs = 80;

    private const string Spec = """
        apiVersion: opengrid/v1
        kind: Job
        name: receipt-order
        runtime: { kind: process, command: ["true"] }
        resources: { cpu: 10m, memory: 16Mi, disk: 1Mi }
        limits: { timeout: 1m }
        """;

    [Fact]
    public async Task Many_jobs_finishing_at_once_on_each_provider_all_succeed_on_their_first_attempt_with_their_receipts()
    {
        using var http = new HttpClient { BaseAddress = grid.Coordinator, Timeout = TimeSpan.FromSeconds(60) };
        var client = new OpenGridClient(http, Identity.Generate());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var submitted = await Task.WhenAll(Enumerable.Range(0, Jobs)
            .Select(_ => client.SubmitAsync(new SubmitJobRequest(Spec, "receipt-order.yaml", null), timeout.Token)));

        var ended = new List<JobView>();
        foreach (var job in submitted)
        {
            var view = await client.GetJobAsync(job.Id, timeout.Token);
            while (view.State is not ("succeeded" or "failed" or "cancelled" or "timed_out"))
            {
                await Task.Delay(100, timeout.Token);
                view = await client.GetJobAsync(job.Id, timeout.Token);
            }

            ended.Add(view);
        }

        var refused = ended.Where(j => j.State != "succeeded" || j.Attempts.Count != 1).ToList();
        Assert.True(refused.Count == 0, $"{refused.Count} of {Jobs} jobs needed more than one attempt or failed: " +
            string.Join("; ", refused.Select(j => $"{j.Id} {j.State}: " + string.Join(", ", j.Attempts.Select(a => $"{a.State} {a.Reason}")))));
    }
}
