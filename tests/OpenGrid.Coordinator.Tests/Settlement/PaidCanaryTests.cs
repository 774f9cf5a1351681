using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.RPC.Eth.DTOs;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Registry;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Coordinator.Tests.Api;
using OpenGrid.Coordinator.Verification;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// Canaries paid like real jobs on a real anvil: a canary leases from the coordinator's canary account under the
/// authorization that account signed; a right answer is released and closed like any job, a wrong one closed unpaid
/// (the whole cap back to the canary account) with the provider's bond slashed once; a canary account that cannot pay
/// for a canary skips it and the real job runs; a crash between a canary's end and its judgement pays nothing blind.
/// Waits are on chain and store state; amounts in base units.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class PaidCanaryTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const long OneUsdc = 1_000_000;

    /// <summary>The known answer of the repository's <c>canaries/sum</c>.</summary>
    private const string SumAnswer = "5000050000\n";

    // 1 core and 1 GiB for at most 10 minutes at the default max price of 1 USDC per hour: worst case 166_666 per
    // lease. Half the fake provider, so the real job and its canary run side by side.
    private static readonly string RealJob = JobSpecs.Shell("paid", "true", memory: "1Gi", cpu: "1", timeout: "10m");
    private const long WorstCase = 166_666;

    [Fact]
    public async Task A_canary_answered_rightly_leases_from_the_canary_account_and_is_paid_like_a_job_with_exact_balances()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await ChainHarness.DepositAsync(chain.Canary, TokenAmount.FromBaseUnits(OneUsdc));
        await using var factory = WithCanaries(chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(OneUsdc));
        var requesterApi = factory.NewClient(requester.Identity);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "honest");

        var real = await requesterApi.SubmitSpecAsync(RealJob, None);
        var (canary, lease) = await ReceiveCanaryAsync(factory, connection);
        Assert.Equal(chain.Canary.Identity.Address, canary.Requester);
        await SettlementWaits.OpenedAsync(factory.Services, canary.Id.ToString());

        // Ran 300.2 s: paid for 301 verified seconds, 1% of it to the treasury, the rest of the cap back to the canary account.
        await FinishAsync(factory, connection, lease, await UploadAsync(requesterApi, SumAnswer));
        var intents = await SettlementWaits.SettledAsync(factory.Services, canary.Id.ToString());

        Assert.Equal(["open done", "release done", "close done"], intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        var onChain = (await chain.Treasury.Escrow.GetLeaseAsync(SettlementIntent.LeaseIdOf(canary.Id, lease.Attempt), None))!;
        Assert.Equal((EscrowLeaseStatus.Closed, chain.Canary.Address.ToLowerInvariant(), provider.Address.ToLowerInvariant(), 301UL),
            (onChain.Status, onChain.Requester.ToLowerInvariant(), onChain.Provider.ToLowerInvariant(), onChain.PaidSeconds));
        var price = intents[0].RatePerHour.BaseUnits;
        var pay = price * 301 / 3600;
        var fee = pay / 100;
        Assert.True(fee > 0, $"pay {pay} is large enough to carry a fee");
        var canaryBalances = await chain.Treasury.Escrow.GetBalancesAsync(chain.Canary.Address, None);
        Assert.Equal((OneUsdc - pay, 0L), (canaryBalances.Available.BaseUnits, canaryBalances.Locked.BaseUnits));
        // The real job still runs: the provider's earnings and the treasury's fee are the canary's alone.
        Assert.Equal(pay - fee, (await chain.Treasury.Escrow.GetBalancesAsync(provider.Address, None)).Earnings.BaseUnits);
        Assert.Equal(fee, (await chain.Treasury.Escrow.GetBalancesAsync(chain.TreasuryAddress, None)).Earnings.BaseUnits);
        var realOpen = (await SettlementWaits.OpenedAsync(factory.Services, real.Id)).Single(i => i.Action == SettlementAction.Open);
        Assert.Equal(realOpen.Cap.BaseUnits, (await chain.Treasury.Escrow.GetBalancesAsync(requester.Address, None)).Locked.BaseUnits);
        Assert.Contains("canary_passed", await EventsAsync(factory, provider));
    }

    [Fact]
    public async Task A_canary_answered_wrongly_is_closed_unpaid_and_slashes_the_providers_bond_once()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await ChainHarness.DepositAsync(chain.Canary, TokenAmount.FromBaseUnits(OneUsdc));
        await using var factory = WithCanaries(chain);
        factory.Settings["Coordinator:Trust:CanarySlash"] = "4";
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(OneUsdc));
        var bond = (await chain.Treasury.Registry.GetStakeAsync(provider.Address, None)).Bonded.BaseUnits;
        var requesterApi = factory.NewClient(requester.Identity);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "cheat");

        await requesterApi.SubmitSpecAsync(RealJob, None);
        var (canary, lease) = await ReceiveCanaryAsync(factory, connection);
        await SettlementWaits.OpenedAsync(factory.Services, canary.Id.ToString());
        await FinishAsync(factory, connection, lease, await UploadAsync(requesterApi, "5000050001\n"));
        var intents = await SettlementWaits.UntilAsync(factory.Services, canary.Id.ToString(), "the slash and the unpaid close",
            i => i.Any(x => x.Action == SettlementAction.Slash) && i.Any(x => x.Action == SettlementAction.Close) && i.All(x => x.IsFinished));

        Assert.Equal(["open done", "slash done", "close done"], intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        var onChain = (await chain.Treasury.Escrow.GetLeaseAsync(SettlementIntent.LeaseIdOf(canary.Id, lease.Attempt), None))!;
        Assert.Equal((EscrowLeaseStatus.Closed, 0L, 0UL), (onChain.Status, onChain.Released.BaseUnits, onChain.PaidSeconds));
        var canaryBalances = await chain.Treasury.Escrow.GetBalancesAsync(chain.Canary.Address, None);
        Assert.Equal((OneUsdc, 0L), (canaryBalances.Available.BaseUnits, canaryBalances.Locked.BaseUnits));
        Assert.Equal(0L, (await chain.Treasury.Escrow.GetBalancesAsync(provider.Address, None)).Earnings.BaseUnits);
        Assert.Contains("canary_failed", await EventsAsync(factory, provider));

        // Judged again (a redelivered report, a restart): nothing more is written, so nothing more is sent.
        var ended = (await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(canary.Id, None))!;
        await factory.Services.GetRequiredService<Canaries>().JudgeAsync([ended], None);
        var again = await factory.Services.GetRequiredService<ISettlementStore>().ListForJobAsync(canary.Id, None);
        Assert.Equal(intents.Select(i => i.Id), again.Select(i => i.Id));
        Assert.Equal(bond - 4 * OneUsdc, (await chain.Treasury.Registry.GetStakeAsync(provider.Address, None)).Bonded.BaseUnits);
        Assert.Single(await SlashedAsync(chain, provider.Address));
    }

    [Fact]
    public async Task In_a_replicated_canary_each_member_is_paid_by_its_own_judgement_whatever_the_quorum_said()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await ChainHarness.DepositAsync(chain.Canary, TokenAmount.FromBaseUnits(OneUsdc));
        await using var factory = WithCanaries(chain);
        factory.Settings["Coordinator:Trust:MaxExtraReplicas"] = "0"; // two answers that disagree fail the group at once
        var (requester, honest) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(OneUsdc));
        var cheat = await chain.NewAccountAsync();
        await ChainHarness.BondAsync(cheat);
        var requesterApi = factory.NewClient(requester.Identity);
        await using var honestConnection = await factory.ConnectLiveProviderAsync(honest.Identity, "honest");
        await using var cheatConnection = await factory.ConnectLiveProviderAsync(cheat.Identity, "cheat");

        await requesterApi.SubmitSpecAsync(RealJob + "\nverify: { replicas: 2, quorum: 2, adaptive: false }\n", None);
        var (right, rightLease) = await ReceiveCanaryAsync(factory, honestConnection);
        var (wrong, wrongLease) = await ReceiveCanaryAsync(factory, cheatConnection);
        Assert.Equal(ReplicaGroups.RootOf(right), ReplicaGroups.RootOf(wrong));
        Assert.All([right, wrong], m => Assert.Equal(chain.Canary.Identity.Address, m.Requester));
        await SettlementWaits.OpenedAsync(factory.Services, right.Id.ToString());
        await SettlementWaits.OpenedAsync(factory.Services, wrong.Id.ToString());
        await FinishAsync(factory, honestConnection, rightLease, await UploadAsync(requesterApi, SumAnswer));
        await FinishAsync(factory, cheatConnection, wrongLease, await UploadAsync(requesterApi, "5000050001\n"));

        var paid = await SettlementWaits.SettledAsync(factory.Services, right.Id.ToString());
        var unpaid = await SettlementWaits.UntilAsync(factory.Services, wrong.Id.ToString(), "the slash and the unpaid close",
            i => i.Any(x => x.Action == SettlementAction.Slash) && i.Any(x => x.Action == SettlementAction.Close) && i.All(x => x.IsFinished));

        // No quorum (the job failed verification), yet the right answer is paid and the wrong one is not.
        var root = await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(ReplicaGroups.RootOf(right), None);
        Assert.Equal(JobState.Failed, root!.State);
        Assert.Equal(["open done", "release done", "close done"], paid.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        Assert.Equal(["open done", "slash done", "close done"], unpaid.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        var pay = paid[0].RatePerHour.BaseUnits * 301 / 3600;
        var escrow = chain.Treasury.Escrow;
        Assert.Equal(pay - pay / 100, (await escrow.GetBalancesAsync(honest.Address, None)).Earnings.BaseUnits);
        Assert.Equal(0L, (await escrow.GetBalancesAsync(cheat.Address, None)).Earnings.BaseUnits);
        var canaryBalances = await escrow.GetBalancesAsync(chain.Canary.Address, None);
        Assert.Equal((OneUsdc - pay, 0L), (canaryBalances.Available.BaseUnits, canaryBalances.Locked.BaseUnits));
    }

    [Fact]
    public async Task A_canary_account_that_cannot_cover_the_worst_case_skips_the_canary_and_the_real_job_runs_and_is_paid()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await ChainHarness.DepositAsync(chain.Canary, TokenAmount.FromBaseUnits(WorstCase - 1));
        await using var factory = WithCanaries(chain);
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(OneUsdc));
        var requesterApi = factory.NewClient(requester.Identity);
        var store = factory.Services.GetRequiredService<IJobStore>();
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "provider");

        // With no delay a canary is queued during the submit, or never.
        var real = await requesterApi.SubmitSpecAsync(RealJob, None);
        Assert.Empty(await store.ListJobsAsync(chain.Canary.Identity.Address, null, 10, None));
        var lease = Assert.IsType<Assign>(await connection.ReceiveUntilAsync<Assign>());
        Assert.Equal(real.Id, lease.JobId);
        await FinishAsync(factory, connection, lease, null);
        var intents = await SettlementWaits.SettledAsync(factory.Services, real.Id);
        Assert.Equal(["open done", "release done", "close done"], intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}").ToArray());
        Assert.Equal("succeeded", (await requesterApi.GetJobAsync(real.Id, None)).State);

        // One base unit more covers the worst case: the next job brings its canary.
        await ChainHarness.DepositAsync(chain.Canary, TokenAmount.FromBaseUnits(1));
        await requesterApi.SubmitSpecAsync(RealJob, None);
        var canary = Assert.Single(await store.ListJobsAsync(chain.Canary.Identity.Address, null, 10, None));
        Assert.Equal(JobKind.Canary, canary.Kind);
        Assert.NotNull(canary.Authorization);
    }

    [Theory]
    [InlineData(SumAnswer, "open done|release done|close done", "canary_passed")]
    [InlineData("5000050001\n", "open done|slash done|close done", "canary_failed")]
    public async Task A_canary_whose_judgement_a_crash_interrupted_is_judged_after_the_restart_and_only_then_paid_or_closed(
        string answered, string settled, string trustEvent)
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await ChainHarness.DepositAsync(chain.Canary, TokenAmount.FromBaseUnits(OneUsdc));
        var (requester, provider) = await chain.PartiesAsync(TokenAmount.FromBaseUnits(OneUsdc));
        using var data = new TempDir("opengrid-canary-restart");
        Job canary;
        Assign lease;
        ContentPutResponse answer;
        await using (var first = WithCanaries(chain, data.Path))
        {
            var requesterApi = first.NewClient(requester.Identity);
            await using var connection = await first.ConnectLiveProviderAsync(provider.Identity, "provider");
            await requesterApi.SubmitSpecAsync(RealJob, None);
            (canary, lease) = await ReceiveCanaryAsync(first, connection);
            await SettlementWaits.OpenedAsync(first.Services, canary.Id.ToString());
            answer = await UploadAsync(requesterApi, answered);
        }

        // The canary ran a minute and the coordinator died before it judged the answer (and so before any pay was written).
        var jobs = SqliteJobStore.ForFile(Path.Combine(data.Path, "coordinator.db"));
        await jobs.TransitionAsync(canary.Id, lease.Epoch, new JobTransition(JobState.Running, DateTimeOffset.UtcNow.AddSeconds(-61)), None);
        var ended = await jobs.TransitionAsync(canary.Id, lease.Epoch, new JobTransition(JobState.Succeeded, DateTimeOffset.UtcNow, 0,
            Usage: new Usage(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), 1),
            Outputs: [new OutputFile("sum.txt", Core.Content.Cid.Parse(answer.Cid), answer.Size)]), None);
        Assert.Equal(TransitionOutcome.Applied, ended.Outcome);

        await using var second = WithCanaries(chain, data.Path);
        _ = second.Server;
        var intents = await SettlementWaits.UntilAsync(second.Services, canary.Id.ToString(), "the judged canary's settlement",
            i => i.Any(x => x.Action == SettlementAction.Close) && i.All(x => x.IsFinished));

        Assert.Equal(settled, string.Join('|', intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()}")));
        Assert.Contains(trustEvent, await EventsAsync(second, provider));
        var pay = trustEvent == "canary_passed" ? intents[0].RatePerHour.BaseUnits * 60 / 3600 : 0;
        var balances = await chain.Treasury.Escrow.GetBalancesAsync(chain.Canary.Address, None);
        Assert.Equal((OneUsdc - pay, 0L), (balances.Available.BaseUnits, balances.Locked.BaseUnits));
    }

    /// <summary>A coordinator settling on <paramref name="chain"/> that brings a <c>sum</c> canary with every job, at once.</summary>
    private static CoordinatorFactory WithCanaries(ChainHarness chain, string? dataDir = null)
    {
        var factory = dataDir is null ? new CoordinatorFactory() : CoordinatorFactory.Over(dataDir);
        foreach (var (key, value) in chain.Settings)
            factory.Settings[key] = value;
        factory.Settings["Coordinator:Trust:CanaryRate"] = "1";
        factory.Settings["Coordinator:Trust:CanaryMaxDelay"] = "00:00:00";
        factory.Settings["Coordinator:Trust:CanaryDir"] = Path.Combine(TestPaths.RepoRoot, "canaries");
        return factory;
    }

    /// <summary>The next lease of a canary job on <paramref name="connection"/>, skipping real ones.</summary>
    private static async Task<(Job Canary, Assign Lease)> ReceiveCanaryAsync(CoordinatorFactory factory, FakeProviderConnection connection)
    {
        var store = factory.Services.GetRequiredService<IJobStore>();
        while (true)
        {
            var lease = await connection.ReceiveUntilAsync<Assign>();
            if (await store.GetJobAsync(JobId.Parse(lease.JobId), None) is { Kind: JobKind.Canary } canary)
                return (canary, lease);
        }
    }

    private static async Task<ContentPutResponse> UploadAsync(OpenGridClient client, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return await client.UploadAsync(new MemoryStream(bytes), bytes.Length, null, None);
    }

    /// <summary>
    /// Reports the lease started and succeeded after 300.2 s of wall time, with <paramref name="output"/> as its
    /// <c>sum.txt</c> (the <c>sum</c> canary's output; a real job here has none).
    /// </summary>
    private static async Task FinishAsync(CoordinatorFactory factory, FakeProviderConnection connection, Assign lease, ContentPutResponse? output)
    {
        await connection.SendAsync(new JobStarted(lease.JobId, lease.Epoch));
        await SettlementWaits.BackdateStartAsync(factory, lease.JobId, TimeSpan.FromSeconds(300.2));
        await connection.SendAsync(new JobFinished(lease.JobId, lease.Epoch, "succeeded", 0, null, new UsageView(300.2, 290, 1 << 20),
            output is null ? [] : [new OutputFileView("sum.txt", output.Cid, output.Size)]));
    }

    private static async Task<IReadOnlyList<string>> EventsAsync(CoordinatorFactory factory, ChainAccount provider) =>
        [.. (await factory.CreateClient().GetFromJsonAsync($"v1/providers/{provider.Identity.Address.Value}/reputation",
            OpenGridJsonContext.Default.ReputationView))!.Events.Select(e => e.Event)];

    /// <summary>Every Slashed event of the registry for <paramref name="provider"/>.</summary>
    private async Task<IReadOnlyList<SlashedEvent>> SlashedAsync(ChainHarness chain, string provider)
    {
        var handler = anvil.Chain.Web3(ChainHarness.AdminIndex).Eth.GetEvent<SlashedEvent>(chain.Addresses.Registry);
        var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return [.. logs.Select(l => l.Event).Where(e => string.Equals(e.Provider, provider, StringComparison.OrdinalIgnoreCase))];
    }
}

/// <summary>With payments on, the canary accounts' keys are checked at start: each problem names the setting and the fix.</summary>
public sealed class CanaryKeySettingsTests
{
    [Fact]
    public void Payments_on_without_a_canary_key_file_refuse_to_start_and_name_the_setting_and_the_fix()
    {
        using var dir = new TempDir("og-canary-keys");

        var e = StartupFailure(() => PaidOnPaper(dir));

        Assert.Contains("Coordinator:Trust:CanaryKeyFile is not set", e.ToString());
        Assert.Contains("or set Coordinator:Trust:CanaryRate=0", e.ToString());
    }

    [Theory]
    [InlineData("""{"privateKey": "0x1234"}""", "key 0 is not a secp256k1 private key")]
    [InlineData("""{"privateKeys": []}""", "it must hold 1 to 64 keys, not 0")]
    [InlineData("""{"key": "0x00"}""", "it holds neither")]
    public void A_canary_key_file_that_does_not_load_refuses_to_start_and_says_why(string content, string why)
    {
        using var dir = new TempDir("og-canary-keys");
        File.WriteAllText(dir.Combine("canary-keys.json"), content);

        var e = StartupFailure(() =>
        {
            var factory = PaidOnPaper(dir);
            factory.Settings["Coordinator:Trust:CanaryKeyFile"] = dir.Combine("canary-keys.json");
            return factory;
        });

        Assert.Contains($"Coordinator:Trust:CanaryKeyFile '{dir.Combine("canary-keys.json")}' does not load: {why}", e.ToString());
    }

    [Fact]
    public void Payments_on_with_no_canaries_need_no_canary_key_file()
    {
        using var dir = new TempDir("og-canary-keys");
        using var factory = PaidOnPaper(dir);
        factory.Settings["Coordinator:Trust:CanaryRate"] = "0";

        Assert.NotNull(factory.Server);
    }

    /// <summary>
    /// Why a coordinator with these settings refuses to start. With minimal hosting, WebApplicationFactory starts the
    /// host while the entry point's <c>app.Run()</c> disposes it as soon as the start fails, so the failure sometimes
    /// surfaces as an <see cref="ObjectDisposedException"/> from that race instead of the validation error; a fresh
    /// factory is tried again then (never more than five times).
    /// </summary>
    private static Exception StartupFailure(Func<CoordinatorFactory> create)
    {
        Exception? failure = null;
        for (var attempt = 0; attempt < 5 && failure is null or ObjectDisposedException; attempt++)
        {
            using var factory = create();
            failure = Assert.ThrowsAny<Exception>(() => factory.Server);
        }

        return failure!;
    }

    /// <summary>Payments on as far as the settings go (no node answers: nothing here reaches the chain).</summary>
    private static CoordinatorFactory PaidOnPaper(TempDir dir)
    {
        var key = dir.Combine("coordinator-key.json");
        File.WriteAllText(key, """{"privateKey": "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"}""");
        var factory = new CoordinatorFactory();
        factory.Settings["Coordinator:Chain:RpcUrl"] = "http://127.0.0.1:9";
        factory.Settings["Coordinator:Chain:KeyFile"] = key;
        foreach (var (name, n) in new[] { ("Token", 1), ("Escrow", 2), ("Registry", 3), ("Reputation", 4), ("ReceiptVerifier", 5) })
            factory.Settings[$"Coordinator:Chain:{name}Address"] = "0x" + n.ToString("x40", System.Globalization.CultureInfo.InvariantCulture);
        return factory;
    }
}
