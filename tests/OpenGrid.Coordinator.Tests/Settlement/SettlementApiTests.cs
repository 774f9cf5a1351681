using Microsoft.Extensions.DependencyInjection;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Coordinator.Verification;
using OpenGrid.Coordinator.Tests.Api;
using OpenGrid.Core;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// The coordinator settling on a real anvil: the deposit check at submit, a job from submit to the provider's
/// withdrawal with exact balances at each step, and a cancel refunding the requester. Amounts in base units.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class SettlementApiTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TokenAmount OneUsdc = TokenAmount.FromBaseUnits(1_000_000);

    // 2 cores and 1 GiB for at most 10 minutes, at the default max price of 1 USDC per hour: worst case 166_666.
    private static readonly string TenMinuteJob = JobSpecs.Shell("paid", "true", memory: "1Gi", cpu: "2", timeout: "10m");

    [Fact]
    public async Task A_job_whose_worst_case_exceeds_the_deposit_is_refused_with_escrow_insufficient()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var requester = await chain.NewAccountAsync();
        await ChainHarness.DepositAsync(requester, TokenAmount.FromBaseUnits(166_665));
        var client = factory.NewClient(requester.Identity);

        var e = await Assert.ThrowsAsync<OpenGridApiException>(() => client.SubmitSpecAsync(TenMinuteJob, None));

        Assert.Equal((402, ErrorCodes.EscrowInsufficient), (e.Status, e.Code));
        Assert.Contains("0.166665 available but this job may cost up to 0.166666", e.Message);
        await ChainHarness.DepositAsync(requester, TokenAmount.FromBaseUnits(1));
        Assert.Equal("queued", (await client.SubmitSpecAsync(TenMinuteJob, None)).State);
    }

    [Fact]
    public async Task A_paid_job_settles_from_submit_to_the_providers_withdrawal_with_exact_balances()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, provider) = await chain.PartiesAsync(OneUsdc);
        var requesterApi = factory.NewClient(requester.Identity);
        var providerApi = factory.NewClient(provider.Identity);
        Assert.Equal(new BalanceView(requester.Identity.Address.Value, "0.000000", "1.000000", "0.000000", "0.000000", "0.000000", "0.000000"),
            await requesterApi.GetBalanceAsync(None));

        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "paid-provider");
        var job = await requesterApi.SubmitSpecAsync(TenMinuteJob, None);
        var lease = Assert.IsType<Assign>(await connection.ReceiveAsync());
        await SettlementWaits.OpenedAsync(factory.Services, job.Id);

        // Locked: the cap, the cleared price for the whole 10-minute timeout.
        var price = Amount((await requesterApi.GetJobAsync(job.Id, None)).Attempts.Single().PricePerHour!);
        Assert.True(price > 0, "the match cleared at a positive price");
        var cap = price * 600 / 3600;
        var atOpen = await requesterApi.GetBalanceAsync(None);
        Assert.Equal((1_000_000 - cap, cap), (Amount(atOpen.Available), Amount(atOpen.Locked)));

        // Ran 300.2 s: paid for 301 verified seconds, 1% of it to the treasury, the rest of the cap refunded.
        await connection.SendAsync(new JobStarted(job.Id, lease.Epoch));
        await SettlementWaits.BackdateStartAsync(factory, job.Id, TimeSpan.FromSeconds(300.2));
        await connection.SendAsync(new JobFinished(job.Id, lease.Epoch, "succeeded", 0, null, new UsageView(300.2, 290, 1 << 20), []));
        var intents = await SettlementWaits.SettledAsync(factory.Services, job.Id);
        Assert.Equal(["open done", "release done", "close done"], intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        Assert.Equal(301UL, intents.Single(i => i.Action == SettlementAction.Release).Seconds);
        var pay = price * 301 / 3600;
        var fee = pay / 100;
        Assert.True(fee > 0, $"pay {pay} is large enough to carry a fee");
        var afterRequester = await requesterApi.GetBalanceAsync(None);
        Assert.Equal((1_000_000 - pay, 0L, 0L), (Amount(afterRequester.Available), Amount(afterRequester.Locked), Amount(afterRequester.Earnings)));
        var afterProvider = await providerApi.GetBalanceAsync(None);
        Assert.Equal((pay - fee, 0L), (Amount(afterProvider.Earnings), Amount(afterProvider.Wallet)));
        Assert.Equal(fee, (await chain.Treasury.Escrow.GetBalancesAsync(chain.TreasuryAddress, None)).Earnings.BaseUnits);

        await provider.Contracts.Escrow.WithdrawEarningsAsync(None);
        var withdrawn = await providerApi.GetBalanceAsync(None);
        Assert.Equal((0L, pay - fee), (Amount(withdrawn.Earnings), Amount(withdrawn.Wallet)));
        await requester.Contracts.Escrow.WithdrawAsync(TokenAmount.FromBaseUnits(1_000_000 - pay), None);
        Assert.Equal(1_000_000 - pay, Amount((await requesterApi.GetBalanceAsync(None)).Wallet));
    }

    [Fact]
    public async Task An_unbonded_provider_is_not_matched_and_says_why_until_it_bonds()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, provider) = await chain.PartiesAsync(OneUsdc, bonded: false);
        var requesterApi = factory.NewClient(requester.Identity);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "unbonded");

        // No bond on the registry: the plan names the reason and the job waits in the book.
        await WaitFor.ConditionAsync(async () =>
            (await requesterApi.PlanAsync(new PlanRequest(TenMinuteJob, null), None)).Rejected.Any(r => r.Reason.StartsWith("not bonded", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "og plan to name the missing bond");
        var job = await requesterApi.SubmitSpecAsync(TenMinuteJob, None);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal("queued", (await requesterApi.GetJobAsync(job.Id, None)).State);

        await ChainHarness.BondAsync(provider);
        var lease = Assert.IsType<Assign>(await connection.ReceiveAsync());
        Assert.Equal(job.Id, lease.JobId);
    }

    [Fact]
    public async Task Reputations_are_published_to_the_registry_in_batches_of_the_scores_that_moved()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        factory.Settings["Coordinator:Trust:PublishInterval"] = "1.00:00:00"; // the test publishes by hand
        var (requester, provider) = await chain.PartiesAsync(OneUsdc, bonded: false);
        var submitted = await factory.NewClient(requester.Identity).SubmitSpecAsync(TenMinuteJob, None);
        var job = (await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(Core.Jobs.JobId.Parse(submitted.Id), None))!;
        var trust = factory.Services.GetRequiredService<TrustLedger>();
        var publisher = factory.Services.GetRequiredService<ReputationPublisher>();

        await trust.RecordAsync(provider.Identity.Address, job, Core.Trust.TrustEvent.Disagreed, None);
        var score = (await trust.ScoresAsync(None))[provider.Identity.Address];
        Assert.Equal(1, await publisher.PublishAsync(None));
        var onChain = await chain.Treasury.Reputation.GetScoreAsync(provider.Address, None);
        Assert.Equal(ReputationPublisher.ToChain(score), onChain.Value);
        Assert.True(onChain.Value < ReputationPublisher.Scale / 2, $"a disagreement lowers the published score, got {onChain.Value}");

        // Nothing moved: no transaction.
        Assert.Equal(0, await publisher.PublishAsync(None));
    }

    [Fact]
    public async Task Proven_fraud_slashes_the_providers_bond_to_the_treasury_once()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, provider) = await chain.PartiesAsync(OneUsdc);
        var bond = (await chain.Treasury.Registry.GetStakeAsync(provider.Address, None)).Bonded.BaseUnits;
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "caught");
        var submitted = await factory.NewClient(requester.Identity).SubmitSpecAsync(TenMinuteJob, None);
        Assert.IsType<Assign>(await connection.ReceiveAsync());
        var job = (await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(Core.Jobs.JobId.Parse(submitted.Id), None))!;
        var ledger = factory.Services.GetRequiredService<SettlementLedger>();

        // The same proof twice (a redelivered canary result): one slash.
        var amount = TokenAmount.FromBaseUnits(4_000_000);
        await ledger.FraudProvenAsync(job, job.CurrentAttempt!, amount, None);
        await ledger.FraudProvenAsync(job, job.CurrentAttempt!, amount, None);
        var slashed = await SettlementWaits.UntilAsync(factory.Services, submitted.Id, "the slash",
            intents => intents.Any(i => i.Action == SettlementAction.Slash && i.IsFinished));

        Assert.Single(slashed, i => i.Action == SettlementAction.Slash && i.State == IntentState.Done && i.TxHash is not null);
        Assert.Equal(bond - 4_000_000, (await chain.Treasury.Registry.GetStakeAsync(provider.Address, None)).Bonded.BaseUnits);
        Assert.Equal(4_000_000, (await chain.Treasury.Registry.CompensationOfAsync(chain.TreasuryAddress, None)).BaseUnits);
        Assert.True(await chain.Treasury.Registry.WasSlashedForAsync(provider.Address, slashed.Single(i => i.Action == SettlementAction.Slash).SlashReason, None));
    }

    [Fact]
    public async Task With_three_confirmations_a_lease_counts_as_open_only_two_blocks_after_its_own()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        factory.Settings["Coordinator:Settlement:Confirmations"] = "3";
        var (requester, provider) = await chain.PartiesAsync(OneUsdc);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "confirmed");
        var job = await factory.NewClient(requester.Identity).SubmitSpecAsync(TenMinuteJob, None);
        Assert.IsType<Assign>(await connection.ReceiveAsync());

        // Mined (anvil mines each transaction in its own block) but not yet deep enough: nothing else mines here, so
        // the intent cannot be done before the test mines two more blocks.
        var leaseId = SettlementIntent.LeaseIdOf(Core.Jobs.JobId.Parse(job.Id), 1);
        await WaitFor.ConditionAsync(async () => await chain.Treasury.Escrow.GetLeaseAsync(leaseId, None) is not null,
            TimeSpan.FromSeconds(30), "the lease to be on chain");
        var intents = await factory.Services.GetRequiredService<ISettlementStore>().ListForJobAsync(Core.Jobs.JobId.Parse(job.Id), None);
        Assert.Equal(IntentState.Sent, intents.Single(i => i.Action == SettlementAction.Open).State);

        await anvil.Chain.Web3(0).Client.SendRequestAsync(new Nethereum.JsonRpc.Client.RpcRequest(1, "anvil_mine",
            new Nethereum.Hex.HexTypes.HexBigInteger(2).HexValue));
        await SettlementWaits.OpenedAsync(factory.Services, job.Id);
    }

    [Fact]
    public async Task Cancelling_a_running_job_refunds_its_whole_cap()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, provider) = await chain.PartiesAsync(OneUsdc);
        var requesterApi = factory.NewClient(requester.Identity);

        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "cancelled-provider");
        var job = await requesterApi.SubmitSpecAsync(TenMinuteJob, None);
        var lease = Assert.IsType<Assign>(await connection.ReceiveAsync());
        await connection.SendAsync(new JobStarted(job.Id, lease.Epoch));
        await SettlementWaits.OpenedAsync(factory.Services, job.Id);
        Assert.True(Amount((await requesterApi.GetBalanceAsync(None)).Locked) > 0, "the cap is locked while the job runs");

        await requesterApi.CancelAsync(job.Id, None);
        var intents = await SettlementWaits.SettledAsync(factory.Services, job.Id);

        Assert.Equal(["open done", "close done"], intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        var balance = await requesterApi.GetBalanceAsync(None);
        Assert.Equal((1_000_000L, 0L), (Amount(balance.Available), Amount(balance.Locked)));
        Assert.Equal(0L, Amount((await factory.NewClient(provider.Identity).GetBalanceAsync(None)).Earnings));
    }

    [Fact]
    public async Task A_restarted_coordinator_settles_an_attempt_whose_end_a_crash_left_unrecorded()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        var (requester, provider) = await chain.PartiesAsync(OneUsdc);
        // Both coordinators use one data dir that outlives them (a factory's own dir is deleted when it is disposed).
        using var data = new TempDir("opengrid-settlement-restart");
        var dataDir = data.Path;
        string jobId;
        long epoch;
        await using (var first = Settled(chain, dataDir))
        {
            await using var connection = await first.ConnectLiveProviderAsync(provider.Identity, "crash-provider");
            var job = await first.NewClient(requester.Identity).SubmitSpecAsync(TenMinuteJob, None);
            epoch = Assert.IsType<Assign>(await connection.ReceiveAsync()).Epoch;
            await SettlementWaits.OpenedAsync(first.Services, job.Id);
            jobId = job.Id;
        }

        // The job ran a minute and the coordinator died before it wrote the release and close intents.
        var jobs = Persistence.SqliteJobStore.ForFile(Path.Combine(dataDir, "coordinator.db"));
        Assert.True(Core.Jobs.JobId.TryParse(jobId, out var id));
        await jobs.TransitionAsync(id, epoch, new Persistence.JobTransition(Core.Jobs.JobState.Running, DateTimeOffset.UtcNow.AddSeconds(-61)), None);
        var ended = await jobs.TransitionAsync(id, epoch, new Persistence.JobTransition(Core.Jobs.JobState.Succeeded, DateTimeOffset.UtcNow, 0,
            Usage: new Core.Jobs.Usage(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), 1)), None);
        Assert.Equal(Persistence.TransitionOutcome.Applied, ended.Outcome);

        await using var second = CoordinatorFactory.Over(dataDir);
        foreach (var (key, value) in chain.Settings)
            second.Settings[key] = value;
        _ = second.Server;
        var intents = await SettlementWaits.SettledAsync(second.Services, jobId);

        Assert.Equal(["open done", "release done", "close done"], intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        var price = intents[0].RatePerHour.BaseUnits;
        var balance = await second.NewClient(requester.Identity).GetBalanceAsync(None);
        Assert.Equal((1_000_000 - price * 60 / 3600, 0L), (Amount(balance.Available), Amount(balance.Locked)));
    }

    [Fact]
    public async Task The_chain_endpoint_names_the_contracts_and_the_operator()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);

        var view = await factory.NewClient().GetChainAsync(None);

        Assert.Equal((31337L, chain.Addresses.Escrow, chain.Addresses.Token, 6), (view.ChainId, view.Escrow, view.Token, view.TokenDecimals));
        Assert.Equal(anvil.Chain.Account(ChainHarness.CoordinatorIndex).Address, view.Operator);
    }

    private static CoordinatorFactory Settled(ChainHarness chain, string? dataDir = null)
    {
        var factory = dataDir is null ? new CoordinatorFactory() : CoordinatorFactory.Over(dataDir);
        foreach (var (key, value) in chain.Settings)
            factory.Settings[key] = value;
        return factory;
    }

    private static long Amount(string text) =>
        TokenAmount.TryParse(text, out var amount) ? amount.BaseUnits : throw new FormatException($"'{text}' is not a token amount");
}

/// <summary>Without <c>Coordinator:Chain:RpcUrl</c> nothing is settled and the payment endpoints say so.</summary>
public sealed class SettlementOffTests
{
    [Fact]
    public async Task Without_a_chain_the_payment_endpoints_answer_chain_not_configured()
    {
        await using var factory = new CoordinatorFactory();
        var client = factory.NewClient(Identity.Generate());

        var chain = await Assert.ThrowsAsync<OpenGridApiException>(() => client.GetChainAsync(CancellationToken.None));
        var balance = await Assert.ThrowsAsync<OpenGridApiException>(() => client.GetBalanceAsync(CancellationToken.None));

        Assert.Equal((404, ErrorCodes.ChainNotConfigured), (chain.Status, chain.Code));
        Assert.Equal((404, ErrorCodes.ChainNotConfigured), (balance.Status, balance.Code));
    }
}
