using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nethereum.RPC.Eth.DTOs;
using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Coordinator.Tests.Api;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// Retries under one job authorization on a real anvil. A lost attempt's lease keeps what it was paid counted in the
/// job's <c>committedOf</c>, so the retry's lease opens with its cap lowered to what the authorization has left (never
/// reverting <c>AuthorizationExceeded</c>), pays at most that cap, and a job with nothing left fails with
/// <c>escrow.authorization_exhausted</c> without a transaction. Waits are on chain and store state; amounts in base units.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class RetryBudgetTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const long Deposit = 1_000_000;

    // 2 cores at 1.80 USDC per core-hour: 3.60 USDC/h = 1_000 base units a second. The job's max price is exactly that,
    // so its authorization's maxTotal is one full cap (10 minutes: 600_000) and any pay to a lost attempt is missing
    // from the retry's full cap.
    private static readonly OfferTermsView DearTerms = new("local", 86_400,
        new PriceListView("1.8", "0", "0", new Dictionary<string, string>(), "0.5"));

    private static string StreamingJob(string timeout) => JobSpecs.Shell("stream", "sleep 600", memory: "1Gi", cpu: "2", timeout: timeout)
        + "\nprice: { maxPerHour: \"3.6\", mode: streaming }\n";

    // The runner tests' jobs: 10 minutes at up to 1 USDC/h, leased at that rate (full cap 166_666 = the job's maxTotal).
    private static readonly TokenAmount MaxRate = TokenAmount.FromBaseUnits(1_000_000);
    private const long FullCap = 166_666;

    private readonly TempDir _dir = new("opengrid-retry-budget");

    [Fact]
    public async Task A_streaming_job_paid_and_then_lost_retries_under_its_authorization_with_the_cap_it_has_left()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Streaming(chain);
        var (requester, first) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var second = await chain.NewAccountAsync();
        await ChainHarness.BondAsync(second);
        var connection = await factory.ConnectLiveProviderAsync(first.Identity, "first", terms: DearTerms);
        var job = await factory.NewClient(requester.Identity).SubmitSpecAsync(StreamingJob("10m"), None);
        var id = JobId.Parse(job.Id);
        var lease = Assert.IsType<Assign>(await connection.ReceiveAsync());
        await connection.SendAsync(new JobStarted(job.Id, lease.Epoch));
        var lost = SettlementIntent.LeaseIdOf(id, lease.Attempt);
        await ReleasedUntilAsync(lost, chain, r => r.Count >= 2, "two interval releases on the first attempt's lease");

        // The first provider goes silent: its lease is lost past heartbeat + grace, paid what was seen and closed.
        await connection.DisposeAsync();
        await SettlementWaits.UntilAsync(factory.Services, job.Id, "the lost attempt's close",
            intents => intents.Any(i => i.Action == SettlementAction.Close && i.Attempt == lease.Attempt && i.State == IntentState.Done));
        var paidFirst = (await Escrow(chain).GetLeaseAsync(lost, None))!.Released.BaseUnits;
        Assert.True(paidFirst > 0, "the lost attempt was paid for what the coordinator saw");

        // The retry runs on the second provider, is paid per interval, and succeeds.
        await using var retry = await factory.ConnectLiveProviderAsync(second.Identity, "second", terms: DearTerms);
        var retried = Assert.IsType<Assign>(await retry.ReceiveAsync());
        Assert.Equal((job.Id, lease.Attempt + 1), (retried.JobId, retried.Attempt));
        await retry.SendAsync(new JobStarted(job.Id, retried.Epoch));
        var kept = SettlementIntent.LeaseIdOf(id, retried.Attempt);
        await ReleasedUntilAsync(kept, chain, r => r.Count >= 1, "an interval release on the retry's lease");
        await retry.SendAsync(new JobFinished(job.Id, retried.Epoch, "succeeded", 0, null, new UsageView(300.2, 290, 1 << 20), []));
        var intents = await SettlementWaits.UntilAsync(factory.Services, job.Id, "both leases settled",
            all => all.Count(i => i.Action == SettlementAction.Close) == 2 && all.All(i => i.IsFinished));

        // The retry's lease opened with exactly what the authorization had left, and that is the cap the worker recorded.
        var stored = (await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(id, None))!;
        Assert.Equal(JobState.Succeeded, stored.State);
        var maxTotal = stored.Authorization!.MaxTotal.BaseUnits;
        var rate = stored.Attempts[^1].PricePerHour!.Value;
        Assert.Equal((600_000L, 600_000L), (maxTotal, EscrowRules.CapFor(rate, stored.Spec.Limits.Timeout).BaseUnits));
        var retryLease = (await Escrow(chain).GetLeaseAsync(kept, None))!;
        Assert.Equal(maxTotal - paidFirst, retryLease.Cap.BaseUnits);
        Assert.Equal(retryLease.Cap, intents.Single(i => i.Action == SettlementAction.Open && i.Attempt == retried.Attempt).Cap);
        Assert.DoesNotContain(intents, i => i.State == IntentState.Failed);

        // Exact balances: each lease released the pay for its paid seconds and refunded the rest of its cap; each provider
        // earned its pay less 1%, the treasury the fees; the job's leases hold what they paid, within its authorization.
        var paid = new List<long>();
        foreach (var (leaseId, provider) in new[] { (lost, first), (kept, second) })
        {
            var settled = (await Escrow(chain).GetLeaseAsync(leaseId, None))!;
            var pay = EscrowRules.PayFor(settled.RatePerHour, settled.PaidSeconds).BaseUnits;
            Assert.Equal((EscrowLeaseStatus.Closed, pay), (settled.Status, settled.Released.BaseUnits));
            var close = await ClosedAsync(leaseId, chain);
            Assert.Equal((pay, settled.Cap.BaseUnits - pay), ((long)close.Released, (long)close.Refund));
            Assert.Equal(pay - pay / 100, (await Escrow(chain).GetBalancesAsync(provider.Address, None)).Earnings.BaseUnits);
            paid.Add(pay);
        }
        Assert.True(paid[1] > 0, "the retry was paid");
        Assert.Equal(paid[0] / 100 + paid[1] / 100, (await Escrow(chain).GetBalancesAsync(chain.TreasuryAddress, None)).Earnings.BaseUnits);
        var committed = (await Escrow(chain).CommittedAsync(requester.Address, stored.Authorization.Job, None)).BaseUnits;
        Assert.Equal(paid[0] + paid[1], committed);
        Assert.True(committed <= maxTotal, $"the job's leases hold {committed}, over its authorization's {maxTotal}");
        var balances = await Escrow(chain).GetBalancesAsync(requester.Address, None);
        Assert.Equal((Deposit - paid[0] - paid[1], 0L), (balances.Available.BaseUnits, balances.Locked.BaseUnits));
    }

    [Fact]
    public async Task A_job_whose_authorization_a_lost_attempt_used_up_fails_with_authorization_exhausted_and_no_transaction()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Streaming(chain);
        var (requester, first) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var second = await chain.NewAccountAsync();
        await ChainHarness.BondAsync(second);
        var connection = await factory.ConnectLiveProviderAsync(first.Identity, "first", terms: DearTerms);
        var requesterApi = factory.NewClient(requester.Identity);
        var job = await requesterApi.SubmitSpecAsync(StreamingJob("3s"), None);
        var id = JobId.Parse(job.Id);
        var lease = Assert.IsType<Assign>(await connection.ReceiveAsync());
        await connection.SendAsync(new JobStarted(job.Id, lease.Epoch));

        // A 3-second job at its max price: the first attempt is paid its whole cap (3_000, the job's maxTotal) ...
        var lost = SettlementIntent.LeaseIdOf(id, lease.Attempt);
        await ReleasedUntilAsync(lost, chain, r => r.Count > 0 && r[^1].VerifiedSeconds == 3, "the first attempt paid its 3 s");
        // ... and then lost (it runs past its timeout; the coordinator pays no second past it).
        await connection.DisposeAsync();
        await SettlementWaits.UntilAsync(factory.Services, job.Id, "the lost attempt's close",
            intents => intents.Any(i => i.Action == SettlementAction.Close && i.Attempt == lease.Attempt && i.State == IntentState.Done));
        var authorization = (await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(id, None))!.Authorization!;
        Assert.Equal((3_000L, 3_000L), (authorization.MaxTotal.BaseUnits,
            (await Escrow(chain).CommittedAsync(requester.Address, authorization.Job, None)).BaseUnits));
        var sentBefore = await OperatorNonceAsync();

        // The retry is matched, but nothing is left to lease it with: the job fails with the stable code, the provider
        // is told to stop, and no transaction goes out (neither the open nor the close of a lease that never opened).
        await using var retry = await factory.ConnectLiveProviderAsync(second.Identity, "second", terms: DearTerms);
        var retried = Assert.IsType<Assign>(await retry.ReceiveAsync());
        Assert.Equal(retried.Epoch, (await retry.ReceiveUntilAsync<CancelLease>()).Epoch);
        var intents = await SettlementWaits.UntilAsync(factory.Services, job.Id, "the retry's intents finished",
            all => all.Any(i => i.Action == SettlementAction.Close && i.Attempt == retried.Attempt) && all.All(i => i.IsFinished));

        var view = await requesterApi.GetJobAsync(job.Id, None);
        Assert.Equal("failed", view.State);
        Assert.Contains(ErrorCodes.EscrowAuthorizationExhausted, view.Reason);
        var open = intents.Single(i => i.Action == SettlementAction.Open && i.Attempt == retried.Attempt);
        Assert.Equal((IntentState.Failed, (string?)null), (open.State, open.TxHash));
        Assert.StartsWith(ErrorCodes.EscrowAuthorizationExhausted, open.Note);
        var close = intents.Single(i => i.Action == SettlementAction.Close && i.Attempt == retried.Attempt);
        Assert.Equal((IntentState.Done, (string?)null), (close.State, close.TxHash));
        Assert.Null(await Escrow(chain).GetLeaseAsync(SettlementIntent.LeaseIdOf(id, retried.Attempt), None));
        Assert.Equal(sentBefore, await OperatorNonceAsync());
        var balances = await Escrow(chain).GetBalancesAsync(requester.Address, None);
        Assert.Equal((Deposit - 3_000, 0L), (balances.Available.BaseUnits, balances.Locked.BaseUnits));
    }

    [Fact]
    public async Task A_retrys_open_written_before_the_lost_attempts_close_waits_for_it_and_its_milestone_pays_at_most_the_lowered_cap()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var process = await ProcessAsync(chain);
        var job = await chain.InsertJobAsync(process.Jobs, requester);
        await process.Store.AddAsync([Intent(job, provider, 1, SettlementAction.Open)], DateTimeOffset.UtcNow, None);
        Assert.Equal(1, (await process.Runner.RunDueAsync(None)).Finished);

        // After a restart the retry's open was written before the lost attempt's last release and close (reconcile order).
        await process.Store.AddAsync([Intent(job, provider, 2, SettlementAction.Open)], DateTimeOffset.UtcNow, None);
        await process.Store.AddAsync([
            Intent(job, provider, 1, SettlementAction.Release, 60, PaymentMode.Streaming),
            Intent(job, provider, 1, SettlementAction.Close)], DateTimeOffset.UtcNow, None);
        var report = await process.Runner.RunDueAsync(None);

        Assert.Equal((3, 0), (report.Finished, report.Refused.Count));
        var paidFirst = EscrowRules.PayFor(MaxRate, 60).BaseUnits;
        var retry = (await Escrow(chain).GetLeaseAsync(SettlementIntent.LeaseIdOf(job.Id, 2), None))!;
        Assert.Equal(FullCap - paidFirst, retry.Cap.BaseUnits);
        Assert.Equal(retry.Cap, (await process.Store.GetOpenAsync(job.Id, 2, None))!.Cap);

        // The retry succeeds after its whole timeout: a milestone for 600 s would pay the full cap, more than this lease
        // holds; it is lowered to the 540 s the lowered cap buys, and pays exactly that cap.
        await process.Store.AddAsync([
            Intent(job, provider, 2, SettlementAction.Release, 600),
            Intent(job, provider, 2, SettlementAction.Close)], DateTimeOffset.UtcNow, None);
        var ended = await process.Runner.RunDueAsync(None);
        Assert.Equal((2, 0), (ended.Finished, ended.Refused.Count));

        var release = (await process.Store.ListForJobAsync(job.Id, None)).Single(i => i.Attempt == 2 && i.Action == SettlementAction.Release);
        Assert.Equal((IntentState.Done, 540UL), (release.State, release.Seconds));
        var paid = (await Escrow(chain).GetLeaseAsync(retry.Id, None))!;
        Assert.Equal((EscrowLeaseStatus.Closed, retry.Cap, 540UL), (paid.Status, paid.Released, paid.PaidSeconds));
        Assert.Equal(FullCap, (await Escrow(chain).CommittedAsync(requester.Address, job.Authorization!.Job, None)).BaseUnits);
        Assert.Equal(Deposit - FullCap, (await Escrow(chain).GetBalancesAsync(requester.Address, None)).Available.BaseUnits);
    }

    [Fact]
    public async Task An_open_marked_sent_with_its_cap_is_resent_after_a_restart_with_that_cap_not_a_new_one()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var before = await ProcessAsync(chain);
        var job = await chain.InsertJobAsync(before.Jobs, requester);

        // The first coordinator lowered the open's cap (its reading of committedOf then), recorded it with the sent mark,
        // and stopped before the transaction went out. The chain has nothing of it, and the job's budget is untouched.
        await before.Store.AddAsync([Intent(job, provider, 1, SettlementAction.Open)], DateTimeOffset.UtcNow, None);
        var open = (await before.Store.ListUnfinishedAsync(10, None)).Single();
        await before.Store.MarkOpenSentAsync(open.Id, TokenAmount.FromBaseUnits(100_000), DateTimeOffset.UtcNow, None);

        // The next coordinator finds no lease and sends again: the recorded cap, which its releases will count on.
        var after = await ProcessAsync(chain);
        Assert.Equal(1, (await after.Runner.RunDueAsync(None)).Finished);

        Assert.Equal(100_000, (await Escrow(chain).GetLeaseAsync(open.LeaseId, None))!.Cap.BaseUnits);
        var recorded = (await after.Store.GetOpenAsync(job.Id, 1, None))!;
        Assert.Equal((IntentState.Done, 100_000L), (recorded.State, recorded.Cap.BaseUnits));
    }

    [Fact]
    public async Task Replicas_opening_at_once_under_one_authorization_count_each_others_leases_and_never_exceed_it()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(Deposit));
        var process = await ProcessAsync(chain);
        // Two replicas and no extra ones: the authorization allows two full caps (333_332).
        var root = await chain.InsertJobAsync(process.Jobs, requester, extraReplicas: 0,
            spec: JobSpecs.Shell("paid", "true", timeout: "10m") + "\nverify: { replicas: 2, quorum: 2 }\n");
        var replica = root with { Id = JobId.New(TimeProvider.System), GroupOf = root.Id, Replica = 1, Kind = JobKind.Replica };
        await process.Jobs.InsertJobAsync(replica, None);
        Assert.Equal(2 * FullCap, root.Authorization!.MaxTotal.BaseUnits);

        // Replica 0's first attempt was paid 60 s and closed (lost); its retry and replica 1 open in the same pass, in
        // parallel lanes: whichever goes second counts the other's open lease at its full cap.
        await process.Store.AddAsync([
            Intent(root, provider, 1, SettlementAction.Open),
            Intent(root, provider, 1, SettlementAction.Release, 60, PaymentMode.Streaming),
            Intent(root, provider, 1, SettlementAction.Close)], DateTimeOffset.UtcNow, None);
        Assert.Equal(3, (await process.Runner.RunDueAsync(None)).Finished);
        await process.Store.AddAsync([Intent(root, provider, 2, SettlementAction.Open), Intent(replica, provider, 1, SettlementAction.Open)],
            DateTimeOffset.UtcNow, None);
        var report = await process.Runner.RunDueAsync(None);

        Assert.Equal((2, 0), (report.Finished, report.Refused.Count));
        var caps = new List<long>();
        foreach (var leaseId in new[] { SettlementIntent.LeaseIdOf(root.Id, 2), SettlementIntent.LeaseIdOf(replica.Id, 1) })
            caps.Add((await Escrow(chain).GetLeaseAsync(leaseId, None))!.Cap.BaseUnits);
        var paidFirst = EscrowRules.PayFor(MaxRate, 60).BaseUnits;
        Assert.Equal([FullCap - paidFirst, FullCap], caps.Order().ToArray());
        Assert.Equal(2 * FullCap, (await Escrow(chain).CommittedAsync(requester.Address, root.Authorization.Job, None)).BaseUnits);
    }

    // ---- helpers ----

    private static SettlementIntent Intent(Job job, ChainAccount provider, int attempt, SettlementAction action, ulong seconds = 0,
        PaymentMode mode = PaymentMode.Milestone) =>
        new(0, job.Id, attempt, action, job.Requester, provider.Identity.Address, MaxRate, TokenAmount.FromBaseUnits(FullCap), seconds, mode);

    /// <summary>A store, job store and runner over one SQLite file, settling on <paramref name="chain"/>.</summary>
    private async Task<(SqliteSettlementStore Store, SqliteJobStore Jobs, IntentRunner Runner)> ProcessAsync(ChainHarness chain)
    {
        var db = SqliteDatabase.ForFile(_dir.Combine("coordinator.db"));
        var jobs = new SqliteJobStore(db);
        await jobs.InitializeAsync(None);
        var store = new SqliteSettlementStore(db);
        await store.InitializeAsync(None);
        var runner = new IntentRunner(store, jobs, new SettlementChain(true, chain.Options), new SettlementSignal(),
            Options.Create(new SettlementOptions()), TimeProvider.System, NullLogger<IntentRunner>.Instance);
        return (store, jobs, runner);
    }

    private static EscrowClient Escrow(ChainHarness chain) => chain.Treasury.Escrow;

    /// <summary>How many transactions the coordinator's operator account has sent.</summary>
    private async Task<BigInteger> OperatorNonceAsync() =>
        (await anvil.Chain.Web3(ChainHarness.AdminIndex).Eth.Transactions.GetTransactionCount.SendRequestAsync(
            anvil.Chain.Account(ChainHarness.CoordinatorIndex).Address, BlockParameter.CreatePending())).Value;

    private async Task<LeaseClosedEvent> ClosedAsync(EscrowLeaseId leaseId, ChainHarness chain)
    {
        var handler = anvil.Chain.Web3(ChainHarness.AdminIndex).Eth.GetEvent<LeaseClosedEvent>(chain.Addresses.Escrow);
        var closed = await handler.GetAllChangesAsync(handler.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return Assert.Single(closed, e => EscrowLeaseId.FromBytes(e.Event.LeaseId) == leaseId).Event;
    }

    private async Task<IReadOnlyList<ReleasedEvent>> ReleasedUntilAsync(EscrowLeaseId leaseId, ChainHarness chain,
        Func<IReadOnlyList<ReleasedEvent>, bool> enough, string what)
    {
        var handler = anvil.Chain.Web3(ChainHarness.AdminIndex).Eth.GetEvent<ReleasedEvent>(chain.Addresses.Escrow);
        IReadOnlyList<ReleasedEvent> released = [];
        await WaitFor.ConditionAsync(async () =>
        {
            var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
            released = logs.Where(e => EscrowLeaseId.FromBytes(e.Event.LeaseId) == leaseId)
                .OrderBy(e => (ulong)e.Log.BlockNumber.Value).ThenBy(e => (ulong)e.Log.LogIndex.Value).Select(e => e.Event).ToList();
            return enough(released);
        }, Timeout, what);
        return released;
    }

    /// <summary>
    /// A coordinator settling on <paramref name="chain"/> with one streaming interval a second, and no transaction of its
    /// own besides settlement (no canaries, reputations published by hand).
    /// </summary>
    private static CoordinatorFactory Streaming(ChainHarness chain)
    {
        var factory = new CoordinatorFactory();
        foreach (var (key, value) in chain.Settings)
            factory.Settings[key] = value;
        factory.Settings["Coordinator:Settlement:StreamInterval"] = "00:00:01";
        factory.Settings["Coordinator:Trust:CanaryRate"] = "0";
        factory.Settings["Coordinator:Trust:PublishInterval"] = "1.00:00:00";
        return factory;
    }

    public void Dispose() => _dir.Dispose();
}
