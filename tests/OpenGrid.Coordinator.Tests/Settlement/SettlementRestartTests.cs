using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nethereum.RPC.Eth.DTOs;
using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// Exactly-once settlement across a coordinator restart: the worker is stopped between recording a release as sent
/// and recording its receipt. Each "process" is a fresh store, chain connection and runner over the same database.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class SettlementRestartTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TokenAmount Rate = TokenAmount.FromBaseUnits(500_000);   // 0.50 per hour
    private static readonly TokenAmount Cap = TokenAmount.FromBaseUnits(83_333);     // 10 minutes at that rate

    private readonly TempDir _dir = new("opengrid-settlement-restart");

    [Fact]
    public async Task A_release_that_landed_before_the_restart_is_recorded_done_and_not_sent_again()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (job, requester, provider) = await OpenLeaseAsync(chain);

        // The first coordinator wrote the release, marked it sent, and its transaction landed; then it died.
        var before = await ProcessAsync(chain);
        await before.Store.AddAsync([Intent(job, requester, provider, SettlementAction.Release, 120)], DateTimeOffset.UtcNow, None);
        var release = (await before.Store.ListUnfinishedAsync(10, None)).Single();
        await before.Store.MarkSentAsync(release.Id, DateTimeOffset.UtcNow, None);
        await chain.AsCoordinator().Escrow.ReleaseMilestoneAsync(release.LeaseId, 120, None);

        var after = await ProcessAsync(chain);
        await after.Store.AddAsync([Intent(job, requester, provider, SettlementAction.Close, 0)], DateTimeOffset.UtcNow, None);
        var report = await after.Runner.RunDueAsync(None);

        Assert.Equal((2, 0), (report.Finished, report.Refused.Count));
        var intents = await after.Store.ListForJobAsync(job, None);
        var recorded = intents.Single(i => i.Action == SettlementAction.Release);
        Assert.Equal((IntentState.Done, (string?)null), (recorded.State, recorded.TxHash));
        Assert.Contains("Completed", recorded.Note);
        Assert.Equal(IntentState.Done, intents.Single(i => i.Action == SettlementAction.Close).State);
        await AssertPaidOnceAsync(chain, release.LeaseId, requester, provider, 16_666);
    }

    [Fact]
    public async Task A_release_marked_sent_that_never_landed_is_sent_once_after_the_restart()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (job, requester, provider) = await OpenLeaseAsync(chain);

        var before = await ProcessAsync(chain);
        await before.Store.AddAsync([Intent(job, requester, provider, SettlementAction.Release, 120)], DateTimeOffset.UtcNow, None);
        var release = (await before.Store.ListUnfinishedAsync(10, None)).Single();
        await before.Store.MarkSentAsync(release.Id, DateTimeOffset.UtcNow, None);

        var after = await ProcessAsync(chain);
        await after.Store.AddAsync([Intent(job, requester, provider, SettlementAction.Close, 0)], DateTimeOffset.UtcNow, None);
        await after.Runner.RunDueAsync(None);
        var again = await ProcessAsync(chain);
        Assert.Equal(0, (await again.Runner.RunDueAsync(None)).Finished);

        var recorded = (await again.Store.ListForJobAsync(job, None)).Single(i => i.Action == SettlementAction.Release);
        Assert.Equal(IntentState.Done, recorded.State);
        Assert.NotNull(recorded.TxHash);
        await AssertPaidOnceAsync(chain, release.LeaseId, requester, provider, 16_666);
    }

    [Fact]
    public async Task A_release_whose_receipt_times_out_is_retried_and_paid_exactly_once()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (job, requester, provider) = await OpenLeaseAsync(chain);
        var options = new SettlementOptions { SendTimeout = TimeSpan.FromMilliseconds(1), RetryBackoff = TimeSpan.FromTicks(1) };
        var process = await ProcessAsync(chain, options);
        await process.Store.AddAsync([
            Intent(job, requester, provider, SettlementAction.Release, 120),
            Intent(job, requester, provider, SettlementAction.Close, 0)], DateTimeOffset.UtcNow, None);

        // Gives up on the receipt at once: whether the transaction went out is unknown, so the intent is retried.
        var timedOut = await process.Runner.RunDueAsync(None);
        Assert.Equal(0, timedOut.Finished);
        var retried = (await process.Store.ListForJobAsync(job, None)).Single(i => i.Action == SettlementAction.Release);
        Assert.Equal(1, retried.Failures);

        // The abandoned send may land while the retry is on its way; a few passes settle it either way.
        options.SendTimeout = TimeSpan.FromSeconds(20);
        var finished = 0;
        for (var pass = 0; pass < 5 && finished < 2; pass++)
            finished += (await process.Runner.RunDueAsync(None)).Finished;
        Assert.Equal(2, finished);
        Assert.All(await process.Store.ListForJobAsync(job, None), i => Assert.Equal(IntentState.Done, i.State));
        await AssertPaidOnceAsync(chain, retried.LeaseId, requester, provider, 16_666);
    }

    [Fact]
    public async Task An_open_the_escrow_refuses_is_reported_and_the_close_after_it_is_a_no_op()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var requester = await chain.NewAccountAsync();
        var provider = await chain.NewAccountAsync();
        await ChainHarness.DepositAsync(requester, TokenAmount.FromBaseUnits(83_332));
        var process = await ProcessAsync(chain);
        var job = (await chain.InsertJobAsync(process.Jobs, requester)).Id;
        await process.Store.AddAsync([
            Intent(job, requester, provider, SettlementAction.Open, 0),
            Intent(job, requester, provider, SettlementAction.Close, 0)], DateTimeOffset.UtcNow, None);

        var report = await process.Runner.RunDueAsync(None);

        var refused = Assert.Single(report.Refused);
        Assert.Equal((SettlementAction.Open, "chain.insufficient_balance"), (refused.Intent.Action, refused.Code));
        Assert.Equal(["open failed", "close done"],
            (await process.Store.ListForJobAsync(job, None)).Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        Assert.Null(await chain.AsCoordinator().Escrow.GetLeaseAsync(refused.Intent.LeaseId, None));
    }

    [Fact]
    public async Task An_open_for_a_job_its_requester_never_authorized_is_refused_without_a_transaction()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var requester = await chain.NewAccountAsync();
        var provider = await chain.NewAccountAsync();
        await ChainHarness.DepositAsync(requester, TokenAmount.FromBaseUnits(1_000_000));
        var process = await ProcessAsync(chain);
        var job = (await chain.InsertJobAsync(process.Jobs, requester, authorized: false)).Id;
        await process.Store.AddAsync([Intent(job, requester, provider, SettlementAction.Open, 0)], DateTimeOffset.UtcNow, None);

        var report = await process.Runner.RunDueAsync(None);

        var refused = Assert.Single(report.Refused);
        Assert.Equal((SettlementAction.Open, ErrorCodes.EscrowAuthorizationMissing), (refused.Intent.Action, refused.Code));
        var intent = (await process.Store.ListForJobAsync(job, None)).Single();
        Assert.Equal((IntentState.Failed, (string?)null), (intent.State, intent.TxHash));
        Assert.Null(await chain.AsCoordinator().Escrow.GetLeaseAsync(refused.Intent.LeaseId, None));
        Assert.Equal(1_000_000, (await chain.AsCoordinator().Escrow.GetBalancesAsync(requester.Address, None)).Available.BaseUnits);
    }

    /// <summary>Deposits for a requester and opens a lease through a first runner, as the coordinator does at match.</summary>
    private async Task<(JobId Job, ChainAccount Requester, ChainAccount Provider)> OpenLeaseAsync(ChainHarness chain)
    {
        var requester = await chain.NewAccountAsync();
        var provider = await chain.NewAccountAsync();
        await ChainHarness.DepositAsync(requester, TokenAmount.FromBaseUnits(1_000_000));
        var first = await ProcessAsync(chain);
        var job = (await chain.InsertJobAsync(first.Jobs, requester)).Id;
        await first.Store.AddAsync([Intent(job, requester, provider, SettlementAction.Open, 0)], DateTimeOffset.UtcNow, None);
        Assert.Equal(1, (await first.Runner.RunDueAsync(None)).Finished);
        return (job, requester, provider);
    }

    /// <summary>
    /// One Released event for the lease, the provider's earnings and the treasury's fee exactly once, and the rest
    /// of the cap refunded to the requester.
    /// </summary>
    private async Task AssertPaidOnceAsync(ChainHarness chain, EscrowLeaseId lease, ChainAccount requester, ChainAccount provider, long pay)
    {
        var coordinator = chain.AsCoordinator();
        var handler = anvil.Chain.Web3(ChainHarness.AdminIndex).Eth.GetEvent<ReleasedEvent>(coordinator.Escrow.Address);
        var released = await handler.GetAllChangesAsync(handler.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        Assert.Single(released, e => EscrowLeaseId.FromBytes(e.Event.LeaseId) == lease);
        var fee = pay / 100;
        Assert.Equal(pay - fee, (await coordinator.Escrow.GetBalancesAsync(provider.Address, None)).Earnings.BaseUnits);
        Assert.Equal(fee, (await coordinator.Escrow.GetBalancesAsync(chain.TreasuryAddress, None)).Earnings.BaseUnits);
        var balances = await coordinator.Escrow.GetBalancesAsync(requester.Address, None);
        Assert.Equal((1_000_000 - pay, 0L), (balances.Available.BaseUnits, balances.Locked.BaseUnits));
    }

    private static SettlementIntent Intent(JobId job, ChainAccount requester, ChainAccount provider, SettlementAction action, ulong seconds) =>
        new(0, job, 1, action, requester.Identity.Address, provider.Identity.Address, Rate, Cap, seconds, PaymentMode.Milestone);

    /// <summary>
    /// What one coordinator process holds: its own store objects (intents and jobs, one SQLite file), chain connection
    /// (and nonce tracker) and runner.
    /// </summary>
    private async Task<(SqliteSettlementStore Store, SqliteJobStore Jobs, IntentRunner Runner)> ProcessAsync(ChainHarness chain, SettlementOptions? settings = null)
    {
        var db = SqliteDatabase.ForFile(_dir.Combine("coordinator.db"));
        var jobs = new SqliteJobStore(db);
        await jobs.InitializeAsync(None);
        var store = new SqliteSettlementStore(db);
        await store.InitializeAsync(None);
        var settlementChain = new SettlementChain(true, chain.Options);
        var options = Options.Create(settings ?? new SettlementOptions());
        var runner = new IntentRunner(store, jobs, settlementChain, new SettlementSignal(), options, TimeProvider.System, NullLogger<IntentRunner>.Instance);
        return (store, jobs, runner);
    }

    public void Dispose() => _dir.Dispose();
}
