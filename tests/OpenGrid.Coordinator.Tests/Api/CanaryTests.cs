using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>
/// Canaries over the real gateway with providers driven by the test: a canary takes the shape of the job that triggered
/// it, arrives after its delay, is replicated like that job with every answer judged against the known one, and jobs
/// whose requesters donated them become canaries only when reputable providers agreed on exact outputs.
/// </summary>
public sealed class CanaryTests
{
    private static readonly UsageView SomeUsage = new(1, 1, 1);

    /// <summary>The known answer of the repository's <c>canaries/sum</c>.</summary>
    private const string SumAnswer = "5000050000\n";

    private static readonly string Shaped = JobSpecs.Shell("shaped", "echo 42 > /out/answer.txt", memory: "256Mi", cpu: "1", timeout: "5m") + """

        outputs:
          - { path: answer.txt, compare: exact }
        price: { maxPerHour: "0.30", mode: streaming }
        verify: { replicas: 2, quorum: 2, adaptive: false }
        placement: { minReputation: 0.2, maxStartDelay: 1h }
        """;

    [Fact]
    public async Task A_canary_copies_the_jobs_shape_arrives_after_its_delay_and_every_replicas_answer_is_judged()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var canaryAccount = Identity.Generate();
        await using var factory = NewFactory(clock: clock, canaryAccount: canaryAccount);
        factory.Settings["Coordinator:Trust:CanaryRate"] = "1";
        factory.Settings["Coordinator:Trust:CanaryMinDelay"] = "00:05:00";
        factory.Settings["Coordinator:Trust:CanaryMaxDelay"] = "00:10:00";
        factory.Settings["Coordinator:Trust:CanaryDir"] = Path.Combine(TestPaths.RepoRoot, "canaries");
        var requester = factory.NewClient();
        var (honest, cheat) = (Identity.Generate(), Identity.Generate());
        await using var first = await factory.ConnectLiveProviderAsync(honest, "honest");
        await using var second = await factory.ConnectLiveProviderAsync(cheat, "cheat");
        var store = factory.Services.GetRequiredService<IJobStore>();

        var submitted = clock.GetUtcNow();
        var real = await requester.SubmitAsync(new SubmitJobRequest(Shaped, null, null), default);
        var realLeases = new[] { await first.ReceiveUntilAsync<Assign>(), await second.ReceiveUntilAsync<Assign>() };
        Assert.Empty(await QueuedCanariesAsync(store, clock));

        // Not before its least delay…
        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Empty(await QueuedCanariesAsync(store, clock));
        // …and by its most.
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var canaryLeases = new Dictionary<FakeProviderConnection, Assign>
        {
            [first] = await first.ReceiveUntilAsync<Assign>(),
            [second] = await second.ReceiveUntilAsync<Assign>(),
        };

        var leased = (await store.GetJobAsync(JobId.Parse(canaryLeases[first].JobId), default))!;
        var canary = (await store.GetJobAsync(leased.GroupOf ?? leased.Id, default))!;
        var realJob = (await store.GetJobAsync(JobId.Parse(real.Id), default))!;
        Assert.Equal(JobKind.Canary, canary.Kind);
        Assert.Equal(canaryAccount.Address, canary.Requester);
        Assert.InRange(canary.CreatedAt, submitted + TimeSpan.FromMinutes(5), submitted + TimeSpan.FromMinutes(10));
        // Its id is drawn like any job's, when it is queued: a version-7 GUID whose time is its submission's.
        Assert.Equal(canary.CreatedAt.ToUnixTimeMilliseconds(), IdMilliseconds(canary.Id));
        // Everything but the known answer is the real job's: resources, limits, price, verify policy, placement.
        Assert.Equal((realJob.Spec.Resources, realJob.Spec.Limits, realJob.Spec.Price, realJob.Spec.Verify, realJob.Spec.Placement),
            (canary.Spec.Resources, canary.Spec.Limits, canary.Spec.Price, canary.Spec.Verify, canary.Spec.Placement));
        Assert.Equal(2, canary.PlannedReplicas);
        var group = await store.ListGroupAsync(canary.Id, default);
        Assert.All(group, m => Assert.Equal(JobKind.Canary, m.Kind));
        // What providers see: the same kind of text as the real job's leases, without verify or price.
        foreach (var lease in canaryLeases.Values)
        {
            Assert.Equal(ProviderSpec.Of(canary.Spec), lease.Spec);
            var seen = JobSpecParser.Parse(lease.Spec, "job.yaml").Spec!;
            var realSeen = JobSpecParser.Parse(realLeases[0].Spec, "job.yaml").Spec!;
            Assert.Equal((realSeen.Resources, realSeen.Limits, realSeen.Network), (seen.Resources, seen.Limits, seen.Network));
            Assert.DoesNotContain("verify", lease.Spec, StringComparison.Ordinal);
        }

        await FinishAsync(first, canaryLeases[first], "sum.txt", await UploadAsync(requester, SumAnswer));
        await FinishAsync(second, canaryLeases[second], "sum.txt", await UploadAsync(requester, "5000050001\n"));

        // Each member's judgement is written on its own: wait for both before reading either.
        await WaitFor.ConditionAsync(
            async () => (await EventsAsync(factory, cheat)).Contains("canary_failed")
                && (await EventsAsync(factory, honest)).Any(e => e.StartsWith("canary_", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "both replicas' canary judgements");
        Assert.Contains("canary_failed", await EventsAsync(factory, cheat));
        Assert.Contains("canary_passed", await EventsAsync(factory, honest));
        Assert.DoesNotContain("disagreed", await EventsAsync(factory, honest));
    }

    [Fact]
    public async Task A_donated_job_agreed_by_reputable_providers_becomes_a_canary_drawn_for_later_jobs_away_from_its_reproducers()
    {
        using var empty = new TempDir("og-no-canaries");
        await using var factory = NewFactory(harvestMinReputation: "0");
        factory.Settings["Coordinator:Trust:CanaryRate"] = "1";
        factory.Settings["Coordinator:Trust:CanaryMaxDelay"] = "00:00:00";
        factory.Settings["Coordinator:Trust:CanaryDir"] = empty.Path;
        var requester = factory.NewClient();
        var (a, b, c) = (Identity.Generate(), Identity.Generate(), Identity.Generate());
        await using var first = await factory.ConnectLiveProviderAsync(a, "first");
        await using var second = await factory.ConnectLiveProviderAsync(b, "second");
        var answer = await UploadAsync(requester, "42\n");

        var donated = await requester.SubmitAsync(new SubmitJobRequest(Donated("donated", "exact"), null, null), default);
        await FinishAsync(first, await first.ReceiveUntilAsync<Assign>(), "answer.txt", answer);
        await FinishAsync(second, await second.ReceiveUntilAsync<Assign>(), "answer.txt", answer);
        var harvested = await WaitForHarvestAsync(factory, 1);
        Assert.Equal(donated.Id, harvested[0].SourceJob.ToString());
        Assert.DoesNotContain("from:", harvested[0].SpecText, StringComparison.Ordinal);

        // A later job of the class brings the harvested canary, which only the third provider may run.
        await using var third = await factory.ConnectLiveProviderAsync(c, "third");
        await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("later", "true"), null, null), default);
        var canaryLease = await ReceiveCanaryAsync(factory, third);
        await FinishAsync(third, canaryLease, "answer.txt", answer);
        await WaitFor.ConditionAsync(async () => (await EventsAsync(factory, c)).Contains("canary_passed"), TimeSpan.FromSeconds(30),
            "the third provider's canary_passed");
    }

    [Theory]
    [InlineData("no-opt-in", "verify: { replicas: 2, quorum: 2, adaptive: false }", "exact", "0")]
    [InlineData("tolerance", "verify: { replicas: 2, quorum: 2, adaptive: false, donateAsCanary: true }", "tolerance", "0")]
    [InlineData("no-quorum", "verify: { replicas: 1, donateAsCanary: true }", "exact", "0")]
    [InlineData("newcomers", "verify: { replicas: 2, quorum: 2, adaptive: false, donateAsCanary: true }", "exact", "0.6")]
    public async Task A_job_is_not_harvested_without_opt_in_exact_comparators_or_a_reputable_quorum(string name, string verify, string compare,
        string harvestMinReputation)
    {
        await using var factory = NewFactory(harvestMinReputation: harvestMinReputation);
        var requester = factory.NewClient();
        var answer = await UploadAsync(requester, "42\n");
        var spec = JobSpecs.Shell(name, "true") + $$"""

            outputs:
              - { path: answer.txt, compare: {{compare}} }
            {{verify}}
            """;
        // One provider per replica, so each knows its lease is coming.
        var replicas = JobSpecParser.Parse(spec, "job.yaml").Spec!.Verify.Replicas;
        var providers = new List<FakeProviderConnection>();
        for (var i = 0; i < replicas; i++)
            providers.Add(await factory.ConnectLiveProviderAsync(Identity.Generate(), $"provider-{i}"));

        var job = await requester.SubmitAsync(new SubmitJobRequest(spec, null, null), default);
        foreach (var provider in providers)
            await FinishAsync(provider, await provider.ReceiveUntilAsync<Assign>(), "answer.txt", answer);
        await WaitFor.ConditionAsync(async () => (await requester.GetJobAsync(job.Id, default)).State == "succeeded",
            TimeSpan.FromSeconds(30), $"job {name} to succeed");

        var store = factory.Services.GetRequiredService<ITrustStore>();
        Assert.Empty(await store.ListHarvestedCanariesAsync("cpu", default));
        foreach (var provider in providers)
            await provider.DisposeAsync();
    }

    private static string Donated(string name, string compare) => JobSpecs.Shell(name, "echo 42 > /out/answer.txt") + $$"""

        outputs:
          - { path: answer.txt, compare: {{compare}} }
        verify: { replicas: 2, quorum: 2, adaptive: false, donateAsCanary: true }
        """;

    private static CoordinatorFactory NewFactory(TimeProvider? clock = null, Identity? canaryAccount = null, string harvestMinReputation = "0.6")
    {
        var factory = new CoordinatorFactory { Time = clock };
        factory.Settings["Coordinator:Trust:CanaryRate"] = "0";
        factory.Settings["Coordinator:Trust:MaxExtraReplicas"] = "0";
        factory.Settings["Coordinator:Trust:HarvestMinReputation"] = harvestMinReputation;
        if (canaryAccount is not null)
            factory.Settings["Coordinator:Trust:CanaryAccount"] = canaryAccount.Address.Value;
        if (clock is not null)
        {
            // The fake clock jumps minutes at a time: leases must outlive the jumps.
            factory.Settings["Coordinator:HeartbeatSeconds"] = "300";
            factory.Settings["Coordinator:LeaseGraceSeconds"] = "3600";
        }
        return factory;
    }

    private static long IdMilliseconds(JobId id)
    {
        var bytes = id.Value.ToByteArray(bigEndian: true);
        return bytes[..6].Aggregate(0L, (ms, b) => (ms << 8) | b);
    }

    private static async Task<IReadOnlyList<Job>> QueuedCanariesAsync(IJobStore store, TimeProvider clock) =>
        [.. (await store.ListQueuedAsync(clock.GetUtcNow(), 100, default)).Where(j => j.Kind == JobKind.Canary)];

    private static async Task<IReadOnlyList<HarvestedCanary>> WaitForHarvestAsync(CoordinatorFactory factory, int count)
    {
        var store = factory.Services.GetRequiredService<ITrustStore>();
        IReadOnlyList<HarvestedCanary> kept = [];
        await WaitFor.ConditionAsync(async () => (kept = await store.ListHarvestedCanariesAsync("cpu", default)).Count >= count,
            TimeSpan.FromSeconds(30), $"{count} harvested canary(ies)");
        return kept;
    }

    /// <summary>The next lease of a canary job on <paramref name="provider"/>, skipping real ones.</summary>
    private static async Task<Assign> ReceiveCanaryAsync(CoordinatorFactory factory, FakeProviderConnection provider)
    {
        var store = factory.Services.GetRequiredService<IJobStore>();
        while (true)
        {
            var lease = await provider.ReceiveUntilAsync<Assign>();
            if ((await store.GetJobAsync(JobId.Parse(lease.JobId), default))!.Kind == JobKind.Canary)
                return lease;
        }
    }

    private static async Task<ContentPutResponse> UploadAsync(OpenGridClient client, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return await client.UploadAsync(new MemoryStream(bytes), bytes.Length, null, default);
    }

    private static async Task FinishAsync(FakeProviderConnection provider, Assign lease, string path, ContentPutResponse output)
    {
        await provider.SendAsync(new JobStarted(lease.JobId, lease.Epoch));
        await provider.SendAsync(new JobFinished(lease.JobId, lease.Epoch, "succeeded", 0, null, SomeUsage,
            [new OutputFileView(path, output.Cid, output.Size)]));
    }

    private static async Task<IReadOnlyList<string>> EventsAsync(CoordinatorFactory factory, Identity provider) =>
        [.. (await factory.CreateClient().GetFromJsonAsync($"v1/providers/{provider.Address.Value}/reputation",
            OpenGridJsonContext.Default.ReputationView))!.Events.Select(e => e.Event)];
}
