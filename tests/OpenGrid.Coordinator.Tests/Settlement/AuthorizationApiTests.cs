using Microsoft.Extensions.DependencyInjection;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Tests.Api;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// With payments on, a job needs its requester's signed authorization for the escrow: the coordinator checks it at
/// submit (refusing what the escrow would refuse, before the job exists), stores it with the job, and opens every lease
/// of the job — its replicas' too — under it, on a real anvil.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class AuthorizationApiTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TokenAmount OneUsdc = TokenAmount.FromBaseUnits(1_000_000);

    // At the default max price of 1 USDC per hour for 10 minutes: a lease's cap is 166_666.
    private static readonly string TenMinuteJob = JobSpecs.Shell("paid", "true", memory: "1Gi", cpu: "2", timeout: "10m");

    private static string Verified(string name) => JobSpecs.Shell(name, "true", memory: "1Gi", cpu: "2", timeout: "10m") + """

        verify: { replicas: 2, quorum: 2, adaptive: false }
        """;

    [Fact]
    public async Task A_submit_without_an_authorization_is_refused_with_the_terms_to_sign()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, _) = await chain.PartiesAsync(OneUsdc);
        var client = factory.NewClient(requester.Identity);

        var e = await Assert.ThrowsAsync<OpenGridApiException>(() => client.SubmitAsync(new SubmitJobRequest(Verified("unsigned"), null, null), None));

        Assert.Equal((402, ErrorCodes.EscrowAuthorizationMissing), (e.Status, e.Code));
        var terms = e.Problem.Authorization!;
        Assert.Equal((31337L, chain.Addresses.Escrow.ToLowerInvariant(), ReceiptEncoding.SpecHash(Verified("unsigned")).ToString()),
            (terms.ChainId, terms.Escrow, terms.SpecHash));
        // Two replicas plus the two extra replicas the coordinator may launch, each capped at 166_666.
        Assert.Equal(("1.000000", "0.666664", 2), (terms.MaxRatePerHour, terms.MaxTotal, terms.ExtraReplicas));
        Assert.Empty((await client.ListJobsAsync(null, None)).Jobs);
    }

    [Fact]
    public async Task An_authorization_that_is_not_the_requesters_for_this_spec_and_escrow_is_refused_as_invalid()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, _) = await chain.PartiesAsync(OneUsdc);
        var client = factory.NewClient(requester.Identity);
        var spec = Parse(TenMinuteJob);
        var now = DateTimeOffset.UtcNow;
        var good = JobAuthorizer.Create(TenMinuteJob, spec, chain.Domain, 2, requester.Identity, now);
        var stranger = Identity.Generate();

        var cases = new (string Why, JobAuthorizationView View, string Says)[]
        {
            ("another key", JobAuthorizer.Create(TenMinuteJob, spec, chain.Domain, 2, stranger, now).ToView(), $"signed by {stranger.Address}, not by you"),
            ("another spec", JobAuthorizer.Create(TenMinuteJob + "\n# edited\n", spec, chain.Domain, 2, requester.Identity, now).ToView(), "signed for another spec"),
            ("another chain", JobAuthorizer.Create(TenMinuteJob, spec, chain.Domain with { ChainId = 1 }, 2, requester.Identity, now).ToView(), "not by you"),
            ("expired", JobAuthorizer.Create(TenMinuteJob, spec, chain.Domain, 2, requester.Identity, now - JobAuthorizer.Lifetime - TimeSpan.FromMinutes(1)).ToView(), "expired"),
            ("changed after signing", good.ToView() with { MaxTotal = "100.000000" }, "not by you"),
            ("malformed", good.ToView() with { Signature = "0x1234" }, "authorization.signature"),
            ("not an amount", good.ToView() with { MaxRatePerHour = "1.0000001" }, "authorization.maxRatePerHour"),
        };
        foreach (var (why, view, says) in cases)
        {
            var e = await Assert.ThrowsAsync<OpenGridApiException>(() => client.SubmitAsync(new SubmitJobRequest(TenMinuteJob, null, null, view), None));
            Assert.True((e.Status, e.Code) == (422, ErrorCodes.EscrowAuthorizationInvalid), $"{why}: {e.Status} {e.Code} {e.Message}");
            Assert.True(e.Message.Contains(says, StringComparison.Ordinal), $"{why}: '{e.Message}' does not say '{says}'");
        }
        Assert.Empty((await client.ListJobsAsync(null, None)).Jobs);
        Assert.Equal("queued", (await client.SubmitAsync(new SubmitJobRequest(TenMinuteJob, null, null, good.ToView()), None)).State);
    }

    [Fact]
    public async Task An_authorization_below_the_jobs_worst_case_is_refused_as_insufficient()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, _) = await chain.PartiesAsync(OneUsdc);
        var client = factory.NewClient(requester.Identity);
        var text = Verified("short");
        var withoutExtras = JobAuthorizer.Create(text, Parse(text), chain.Domain, 0, requester.Identity, DateTimeOffset.UtcNow);
        var lowRate = JobAuthorizationSigning.Sign(withoutExtras with { MaxRatePerHour = TokenAmount.FromBaseUnits(999_999), MaxTotal = TokenAmount.FromBaseUnits(666_664) },
            chain.Domain, requester.Identity);

        var total = await Assert.ThrowsAsync<OpenGridApiException>(() => client.SubmitAsync(new SubmitJobRequest(text, null, null, withoutExtras.ToView()), None));
        var rate = await Assert.ThrowsAsync<OpenGridApiException>(() => client.SubmitAsync(new SubmitJobRequest(text, null, null, lowRate.ToView()), None));

        Assert.Equal((402, ErrorCodes.EscrowAuthorizationInsufficient), (total.Status, total.Code));
        Assert.Contains("authorization.maxTotal 0.333332 is below this job's worst case 0.666664", total.Message);
        Assert.Contains("× 4 lease(s)", total.Message);
        Assert.Equal((402, ErrorCodes.EscrowAuthorizationInsufficient), (rate.Status, rate.Code));
        Assert.Contains("authorization.maxRatePerHour 0.999999 is below the spec's price.maxPerHour 1.000000", rate.Message);
    }

    [Fact]
    public async Task A_paid_job_is_stored_with_its_authorization_and_its_lease_opens_under_it()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var (requester, provider) = await chain.PartiesAsync(OneUsdc);
        var client = factory.NewClient(requester.Identity);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "authorized");
        var request = JobAuthorizer.Authorize(new SubmitJobRequest(TenMinuteJob, null, null), Parse(TenMinuteJob),
            await client.GetChainAsync(None), requester.Identity, DateTimeOffset.UtcNow);

        var submitted = await client.SubmitAsync(request, None);
        Assert.IsType<Assign>(await connection.ReceiveAsync());
        var intents = await SettlementWaits.OpenedAsync(factory.Services, submitted.Id);

        var stored = (await factory.Services.GetRequiredService<IJobStore>().GetJobAsync(JobId.Parse(submitted.Id), None))!;
        var authorization = stored.Authorization!;
        Assert.Equal(request.Authorization, authorization.ToView());
        var escrow = chain.AsCoordinator().Escrow;
        var lease = (await escrow.GetLeaseAsync(intents[0].LeaseId, None))!;
        Assert.Equal(authorization.Job, lease.Job);
        Assert.Equal(lease.Cap, await escrow.CommittedAsync(requester.Address, lease.Job, None));
    }

    [Fact]
    public async Task Replicas_of_a_verified_job_lease_under_the_authorization_the_requester_signed_for_the_job()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        factory.Settings["Coordinator:Trust:MaxExtraReplicas"] = "0";
        factory.Settings["Coordinator:Trust:CanaryRate"] = "0";
        var (requester, first) = await chain.PartiesAsync(OneUsdc);
        var second = await chain.NewAccountAsync();
        await ChainHarness.BondAsync(second);
        var client = factory.NewClient(requester.Identity);
        await using var a = await factory.ConnectLiveProviderAsync(first.Identity, "first");
        await using var b = await factory.ConnectLiveProviderAsync(second.Identity, "second");

        var submitted = await client.SubmitSpecAsync(Verified("replicated"), None);
        var leases = new[] { Assert.IsType<Assign>(await a.ReceiveAsync()), Assert.IsType<Assign>(await b.ReceiveAsync()) };
        foreach (var assign in leases)
            await SettlementWaits.OpenedAsync(factory.Services, assign.JobId);

        var jobs = factory.Services.GetRequiredService<IJobStore>();
        var group = await jobs.ListGroupAsync(JobId.Parse(submitted.Id), None);
        Assert.Equal(2, group.Count);
        var authorization = group[0].Authorization!;
        Assert.Equal(authorization.ToView(), group[1].Authorization!.ToView());
        Assert.Equal("0.333332", authorization.MaxTotal.ToString()); // what the client signed: 2 leases, no extras here
        var escrow = chain.AsCoordinator().Escrow;
        long caps = 0;
        foreach (var assign in leases)
        {
            var lease = (await escrow.GetLeaseAsync(Coordinator.Settlement.SettlementIntent.LeaseIdOf(JobId.Parse(assign.JobId), assign.Attempt), None))!;
            Assert.Equal(authorization.Job, lease.Job);
            caps += lease.Cap.BaseUnits;
        }
        // Both leases count against the one authorization (each capped at the cleared price, at most maxTotal in all).
        Assert.Equal(caps, (await escrow.CommittedAsync(requester.Address, authorization.Job, None)).BaseUnits);
    }

    private static JobSpec Parse(string text) => JobSpecParser.Parse(text, "job.yaml").Spec!;

    private static CoordinatorFactory Settled(ChainHarness chain)
    {
        var factory = new CoordinatorFactory();
        foreach (var (key, value) in chain.Settings)
            factory.Settings[key] = value;
        return factory;
    }
}
