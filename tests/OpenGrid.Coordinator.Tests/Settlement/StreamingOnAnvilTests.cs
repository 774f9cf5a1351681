using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.RPC.Eth.DTOs;
using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Coordinator.Tests.Api;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// Streaming jobs settled by the coordinator on a real anvil, one interval a second: releases land on chain while the
/// job runs, each paying exactly the newly observed seconds; a coordinator restarted mid-stream after its sends timed
/// out pays no second twice; a cancelled or lost lease is paid what the coordinator saw and refunds the rest. Waits are
/// on chain and store state, never on time; amounts in base units.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class StreamingOnAnvilTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const long Deposit = 1_000_000;

    // 2 cores at 1.80 USDC per core-hour, memory and disk free: 3.60 USDC/h = 1_000 base units a second, so every
    // observed second moves money and every release carries a fee. Worst case 10 min at max 5 USDC/h = 833_333.
    private static readonly OfferTermsView DearTerms = new("local", 86_400,
        new PriceListView("1.8", "0", "0", new Dictionary<string, string>(), "0.5"));

    private static readonly string StreamingJob = JobSpecs.Shell("stream", "sleep 600", memory: "1Gi", cpu: "2", timeout: "10m")
        + "\nprice: { maxPerHour: \"5\", mode: streaming }\n";

    [Fact]
    public async Task A_running_streaming_job_is_paid_each_interval_and_its_total_at_the_end_with_exact_balances()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Streaming(chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var requesterApi = factory.NewClient(requester.Identity);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "streamer", terms: DearTerms);
        var (job, lease, leaseId) = await StartedAsync(requesterApi, connection);

        await ReleasedUntilAsync(leaseId, chain, r => r.Count >= 2, "two interval releases on chain while the job runs");
        Assert.Equal("running", (await requesterApi.GetJobAsync(job.Id, None)).State);

        // It reports 300.2 s of wall time after a few seconds: the coordinator pays what it saw, not the claim.
        await connection.SendAsync(new JobFinished(job.Id, lease.Epoch, "succeeded", 0, null, new UsageView(300.2, 290, 1 << 20), []));
        var intents = await SettlementWaits.SettledAsync(factory.Services, job.Id);

        var released = await ReleasedAsync(leaseId, chain);
        var attempt = await AttemptAsync(factory, job.Id);
        AssertEachReleasePaysOnlyNewSeconds(released, attempt.PricePerHour!.Value);
        var seconds = released[^1].VerifiedSeconds;
        Assert.True(seconds <= Math.Ceiling((attempt.FinishedAt!.Value - attempt.StartedAt!.Value).TotalSeconds),
            $"paid {seconds} s for an attempt the coordinator saw run {attempt.FinishedAt - attempt.StartedAt}");
        var releases = intents.Where(i => i.Action == SettlementAction.Release).ToList();
        Assert.Equal(released.Count, releases.Count);
        Assert.All(releases, r => Assert.NotNull(r.TxHash));
        Assert.Equal(Enumerable.Range(0, releases.Count).ToArray(), releases.Select(r => r.Seq).ToArray());
        Assert.Equal(seconds, releases.Max(r => r.Seconds));
        await AssertSettledAsync(chain, leaseId, requester, provider);

        // The proof pack lists each release with what that transaction paid, not the cumulative figure.
        var proof = await requesterApi.GetProofAsync(job.Id, None);
        var listed = proof.Settlements!.Where(t => t.Kind == "release").Select(t => long.Parse(t.Amount, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(released.Select(r => (long)r.Amount), listed);
    }

    [Fact]
    public async Task A_coordinator_restarted_mid_stream_after_its_sends_timed_out_pays_no_second_twice()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        using var data = new TempDir("opengrid-streaming-restart");
        string jobId;
        long epoch;
        EscrowLeaseId leaseId;
        int before;
        await using (var first = Streaming(chain, data.Path))
        {
            // Every send gives up on its receipt at once: this coordinator learns only from the chain what landed.
            first.Settings["Coordinator:Settlement:SendTimeout"] = "00:00:00.001";
            first.Settings["Coordinator:Settlement:RetryBackoff"] = "00:00:00.100";
            await using var connection = await first.ConnectLiveProviderAsync(provider.Identity, "streamer", terms: DearTerms);
            var job = await first.NewClient(requester.Identity).SubmitSpecAsync(StreamingJob, None);
            var lease = Assert.IsType<Assign>(await connection.ReceiveAsync());
            await connection.SendAsync(new JobStarted(job.Id, lease.Epoch));
            (jobId, epoch, leaseId) = (job.Id, lease.Epoch, SettlementIntent.LeaseIdOf(JobId.Parse(job.Id), lease.Attempt));
            before = (await ReleasedUntilAsync(leaseId, chain, r => r.Count >= 2, "two interval releases before the restart")).Count;
        }

        // The provider kept running and dials the new coordinator, still holding the lease.
        await using var second = Streaming(chain, data.Path);
        await using var again = await second.ConnectLiveProviderAsync(provider.Identity, "streamer", [new LeaseRef(jobId, epoch)], terms: DearTerms);
        await ReleasedUntilAsync(leaseId, chain, r => r.Count >= before + 2, "two more interval releases after the restart");
        await again.SendAsync(new JobFinished(jobId, epoch, "succeeded", 0, null, new UsageView(300.2, 290, 1 << 20), []));
        var intents = await SettlementWaits.SettledAsync(second.Services, jobId);

        Assert.All(intents, i => Assert.Equal(IntentState.Done, i.State));
        var attempt = await AttemptAsync(second, jobId);
        AssertEachReleasePaysOnlyNewSeconds(await ReleasedAsync(leaseId, chain), attempt.PricePerHour!.Value);
        await AssertSettledAsync(chain, leaseId, requester, provider);
    }

    [Fact]
    public async Task A_cancelled_streaming_job_pays_only_the_seconds_the_coordinator_saw_and_refunds_the_rest()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Streaming(chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var requesterApi = factory.NewClient(requester.Identity);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "streamer", terms: DearTerms);
        var (job, lease, leaseId) = await StartedAsync(requesterApi, connection);
        await ReleasedUntilAsync(leaseId, chain, r => r.Count >= 1, "an interval release on chain");

        await requesterApi.CancelAsync(job.Id, None);
        await SettlementWaits.SettledAsync(factory.Services, job.Id);

        var attempt = await AttemptAsync(factory, job.Id);
        Assert.Equal(JobState.Cancelled, attempt.State);
        var released = await ReleasedAsync(leaseId, chain);
        AssertEachReleasePaysOnlyNewSeconds(released, attempt.PricePerHour!.Value);
        Assert.True(released[^1].VerifiedSeconds <= Math.Floor((attempt.FinishedAt!.Value - attempt.StartedAt!.Value).TotalSeconds),
            $"paid {released[^1].VerifiedSeconds} s for an attempt cancelled after {attempt.FinishedAt - attempt.StartedAt}");
        await AssertSettledAsync(chain, leaseId, requester, provider);
    }

    [Fact]
    public async Task A_lost_streaming_lease_is_paid_up_to_the_providers_last_heartbeat_and_refunds_the_rest()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Streaming(chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "streamer", terms: DearTerms);
        var (job, lease, leaseId) = await StartedAsync(factory.NewClient(requester.Identity), connection);
        await ReleasedUntilAsync(leaseId, chain, r => r.Count >= 1, "an interval release on chain");

        // The provider goes silent; past heartbeat + grace (1 + 1 s here) its lease is lost.
        await connection.DisposeAsync();
        await SettlementWaits.SettledAsync(factory.Services, job.Id);

        var attempt = await AttemptAsync(factory, job.Id);
        Assert.Equal(JobState.Failed, attempt.State);
        var released = await ReleasedAsync(leaseId, chain);
        AssertEachReleasePaysOnlyNewSeconds(released, attempt.PricePerHour!.Value);
        var lastHeardAtMost = attempt.FinishedAt!.Value - TimeSpan.FromSeconds(2) - attempt.StartedAt!.Value;
        Assert.True(released[^1].VerifiedSeconds <= Math.Floor(lastHeardAtMost.TotalSeconds),
            $"paid {released[^1].VerifiedSeconds} s, but the provider was silent for the last 2 s of {attempt.FinishedAt - attempt.StartedAt}");
        await AssertSettledAsync(chain, leaseId, requester, provider);
    }

    /// <summary>Seconds grow with every release (so none is paid twice) and each pays exactly its new seconds and their fee.</summary>
    /// <summary>Submits the streaming job, takes its lease on <paramref name="connection"/> and reports it started.</summary>
    private static async Task<(JobView Job, Assign Lease, EscrowLeaseId LeaseId)> StartedAsync(OpenGridClient client, FakeProviderConnection connection)
    {
        var job = await client.SubmitSpecAsync(StreamingJob, None);
        var lease = Assert.IsType<Assign>(await connection.ReceiveAsync());
        await connection.SendAsync(new JobStarted(job.Id, lease.Epoch));
        return (job, lease, SettlementIntent.LeaseIdOf(JobId.Parse(job.Id), lease.Attempt));
    }

    private static void AssertEachReleasePaysOnlyNewSeconds(IReadOnlyList<ReleasedEvent> released, TokenAmount rate)
    {
        Assert.NotEmpty(released);
        var paid = TokenAmount.FromBaseUnits(0);
        ulong previous = 0;
        foreach (var r in released)
        {
            Assert.True(r.VerifiedSeconds > previous, $"a release for {r.VerifiedSeconds} s after one for {previous} s");
            var due = EscrowRules.PayFor(rate, r.VerifiedSeconds);
            Assert.Equal((due.BaseUnits - paid.BaseUnits, EscrowRules.FeeForRelease(paid, due).BaseUnits, false),
                ((long)r.Amount, (long)r.Fee, r.Milestone));
            (paid, previous) = (due, r.VerifiedSeconds);
        }
    }

    /// <summary>
    /// The lease is closed having released exactly the pay for its paid seconds: the provider earned it less 1%, the
    /// treasury the 1%, and the requester got the rest of the cap back (nothing stays locked).
    /// </summary>
    private async Task AssertSettledAsync(ChainHarness chain, EscrowLeaseId leaseId, ChainAccount requester, ChainAccount provider)
    {
        var escrow = chain.Treasury.Escrow;
        var lease = (await escrow.GetLeaseAsync(leaseId, None))!;
        var paid = EscrowRules.PayFor(lease.RatePerHour, lease.PaidSeconds).BaseUnits;
        var fee = EscrowRules.FeeOn(TokenAmount.FromBaseUnits(paid)).BaseUnits;
        Assert.Equal((EscrowLeaseStatus.Closed, paid), (lease.Status, lease.Released.BaseUnits));
        Assert.True(paid > 0 && fee > 0, $"the lease paid {paid} with fee {fee}");
        Assert.Equal(paid - fee, (await escrow.GetBalancesAsync(provider.Address, None)).Earnings.BaseUnits);
        Assert.Equal(fee, (await escrow.GetBalancesAsync(chain.TreasuryAddress, None)).Earnings.BaseUnits);
        var balances = await escrow.GetBalancesAsync(requester.Address, None);
        Assert.Equal((Deposit - paid, 0L), (balances.Available.BaseUnits, balances.Locked.BaseUnits));
        var handler = anvil.Chain.Web3(ChainHarness.AdminIndex).Eth.GetEvent<LeaseClosedEvent>(escrow.Address);
        var closed = await handler.GetAllChangesAsync(handler.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        var close = Assert.Single(closed, e => EscrowLeaseId.FromBytes(e.Event.LeaseId) == leaseId).Event;
        Assert.Equal((paid, lease.Cap.BaseUnits - paid), ((long)close.Released, (long)close.Refund));
    }

    /// <summary>The lease's Released events, oldest first.</summary>
    private async Task<IReadOnlyList<ReleasedEvent>> ReleasedAsync(EscrowLeaseId leaseId, ChainHarness chain)
    {
        var handler = anvil.Chain.Web3(ChainHarness.AdminIndex).Eth.GetEvent<ReleasedEvent>(chain.Addresses.Escrow);
        var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return logs.Where(e => EscrowLeaseId.FromBytes(e.Event.LeaseId) == leaseId)
            .OrderBy(e => (ulong)e.Log.BlockNumber.Value).ThenBy(e => (ulong)e.Log.LogIndex.Value)
            .Select(e => e.Event).ToList();
    }

    private async Task<IReadOnlyList<ReleasedEvent>> ReleasedUntilAsync(EscrowLeaseId leaseId, ChainHarness chain,
        Func<IReadOnlyList<ReleasedEvent>, bool> enough, string what)
    {
        IReadOnlyList<ReleasedEvent> released = [];
        await WaitFor.ConditionAsync(async () => enough(released = await ReleasedAsync(leaseId, chain)), Timeout, what);
        return released;
    }

    private static async Task<Attempt> AttemptAsync(CoordinatorFactory factory, string jobId) =>
        (await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(JobId.Parse(jobId), None))!.Attempts.Single();

    /// <summary>A coordinator settling on <paramref name="chain"/> with one streaming interval a second.</summary>
    private static CoordinatorFactory Streaming(ChainHarness chain, string? dataDir = null)
    {
        var factory = dataDir is null ? new CoordinatorFactory() : CoordinatorFactory.Over(dataDir);
        foreach (var (key, value) in chain.Settings)
            factory.Settings[key] = value;
        factory.Settings["Coordinator:Settlement:StreamInterval"] = "00:00:01";
        return factory;
    }
}
