using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenGrid.Chain;
using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// Streaming pay without a chain: which seconds a lease is paid for (<see cref="StreamingUsage"/>), and the intents the
/// ledger and the stream meter write for them, on the coordinator's SQLite store with fake time. Nothing is sent: the
/// intents are what the settlement worker would send, in order.
/// </summary>
public sealed class StreamingTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TokenAmount Rate = TokenAmount.FromBaseUnits(360_000); // 100 base units a second
    private static readonly Address Requester = Address.Parse("0x" + new string('1', 40));
    private static readonly Address ProviderAddress = Address.Parse("0x" + new string('2', 40));

    private readonly TempDir _dir = new("opengrid-streaming");
    private readonly FakeTimeProvider _time = new(T0);

    // ---- the seconds (pure) ----

    [Fact]
    public void Observed_seconds_run_from_the_start_to_the_last_time_the_provider_was_heard_rounded_down()
    {
        var attempt = Running(startedAt: T0);

        Assert.Equal(0UL, StreamingUsage.ObservedSeconds(attempt, T0, 600));
        Assert.Equal(0UL, StreamingUsage.ObservedSeconds(attempt, T0.AddMilliseconds(999), 600));
        Assert.Equal(61UL, StreamingUsage.ObservedSeconds(attempt, T0.AddSeconds(61.9), 600));
    }

    [Fact]
    public void Nothing_is_observed_before_the_start_or_when_the_provider_was_not_heard_since_the_coordinator_started()
    {
        Assert.Equal(0UL, StreamingUsage.ObservedSeconds(Running(startedAt: null), T0.AddSeconds(30), 600));
        Assert.Equal(0UL, StreamingUsage.ObservedSeconds(Running(startedAt: T0), T0.AddSeconds(-5), 600));
        Assert.Equal(0UL, StreamingUsage.ObservedSeconds(Running(startedAt: T0), lastHeard: null, 600));
    }

    [Fact]
    public void Observed_seconds_stop_at_the_attempts_end_and_at_the_most_the_lease_may_pay()
    {
        var ended = Running(startedAt: T0) with { State = JobState.Cancelled, FinishedAt = T0.AddSeconds(40.5) };

        Assert.Equal(40UL, StreamingUsage.ObservedSeconds(ended, T0.AddSeconds(90), 600));   // heard after the end: the end counts
        Assert.Equal(25UL, StreamingUsage.ObservedSeconds(ended, T0.AddSeconds(25.2), 600)); // silent before it: the last word counts
        Assert.Equal(30UL, StreamingUsage.ObservedSeconds(Running(startedAt: T0), T0.AddHours(2), 30));
    }

    [Theory]
    [InlineData(500_000, "10m")]   // 0.50/h: the cap (83_333) buys 599.9976 s; the timeout (600 s) is the bound
    [InlineData(3_599, "1h")]      // just under one unit a second
    [InlineData(7, "90s")]         // a rate so low that most seconds pay nothing
    [InlineData(1_000_000_000, "1s")]
    public void The_most_seconds_a_lease_pays_for_never_cost_more_than_its_cap(long rate, string timeout)
    {
        var spec = Parsed(Spec(timeout: timeout));
        var ratePerHour = TokenAmount.FromBaseUnits(rate);
        var cap = EscrowRules.CapFor(ratePerHour, spec.Limits.Timeout);

        var max = StreamingUsage.MaxSeconds(spec, ratePerHour, cap);

        Assert.Equal((ulong)Math.Ceiling(spec.Limits.Timeout.TotalSeconds), max);
        Assert.True(EscrowRules.PayFor(ratePerHour, max).BaseUnits <= cap.BaseUnits, $"{max} s pays more than the cap {cap.BaseUnits}");
        var smallerCap = TokenAmount.FromBaseUnits(cap.BaseUnits / 2);
        var bounded = StreamingUsage.MaxSeconds(spec, ratePerHour, smallerCap);
        Assert.True(EscrowRules.PayFor(ratePerHour, bounded).BaseUnits <= smallerCap.BaseUnits);
        Assert.True(bounded == max || EscrowRules.PayFor(ratePerHour, bounded + 1).BaseUnits > smallerCap.BaseUnits,
            $"{bounded} s is neither the timeout nor the most half the cap buys");
    }

    [Fact]
    public void A_completed_streaming_attempt_is_paid_its_reported_wall_time_but_never_more_than_the_coordinator_saw()
    {
        var done = Running(startedAt: T0) with { State = JobState.Succeeded, FinishedAt = T0.AddSeconds(95.2) };

        Assert.Equal(96UL, StreamingUsage.CompletedSeconds(done with { Usage = new Usage(TimeSpan.FromSeconds(600), TimeSpan.Zero, 0) }, 600));
        Assert.Equal(91UL, StreamingUsage.CompletedSeconds(done with { Usage = new Usage(TimeSpan.FromSeconds(90.5), TimeSpan.Zero, 0) }, 600));
        Assert.Equal(96UL, StreamingUsage.CompletedSeconds(done, 600));
        Assert.Equal(1UL, StreamingUsage.CompletedSeconds(done with { FinishedAt = T0 }, 600));
        Assert.Equal(50UL, StreamingUsage.CompletedSeconds(done, 50));
    }

    [Fact]
    public void A_milestone_attempt_is_paid_by_the_same_rule_never_more_than_the_coordinator_saw()
    {
        var spec = Parsed(Spec(mode: "milestone"));
        var done = Running(startedAt: T0) with { State = JobState.Succeeded, FinishedAt = T0.AddSeconds(12.4) };

        Assert.Equal(13UL, SettlementLedger.VerifiedSeconds(done with { Usage = new Usage(TimeSpan.FromSeconds(600), TimeSpan.Zero, 0) }, spec));
        Assert.Equal(12UL, SettlementLedger.VerifiedSeconds(done with { Usage = new Usage(TimeSpan.FromSeconds(11.2), TimeSpan.Zero, 0) }, spec));
        Assert.Equal(600UL, SettlementLedger.VerifiedSeconds(done with { FinishedAt = T0.AddHours(2) }, spec));
    }

    [Fact]
    public void Only_unverified_requested_streaming_jobs_are_paid_per_interval()
    {
        Assert.True(StreamingUsage.PaysPerInterval(NewJob(Spec())));
        Assert.False(StreamingUsage.PaysPerInterval(NewJob(Spec(mode: "milestone"))));
        Assert.False(StreamingUsage.PaysPerInterval(NewJob(Spec(replicas: 3))));
        Assert.False(StreamingUsage.PaysPerInterval(NewJob(Spec()) with { Kind = JobKind.Canary }));
        Assert.False(StreamingUsage.PaysPerInterval(NewJob(Spec()) with { GroupOf = JobId.New(TimeProvider.System), Kind = JobKind.Replica }));
    }

    [Theory]
    [InlineData("00:00:00.500")]
    [InlineData("2.00:00:00")]
    public void A_stream_interval_outside_a_second_to_a_day_is_refused_naming_the_setting_and_a_fix(string interval)
    {
        var errors = new SettlementOptions { StreamInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) }.Validate();

        Assert.Equal(["Coordinator:Settlement:StreamInterval must be between 00:00:01 and 1.00:00:00, e.g. 00:01:00 (each interval costs a transaction per running streaming job)"],
            errors.ToArray());
        Assert.Empty(new SettlementOptions().Validate());
    }

    // ---- the intents (ledger, meter and store, fake time) ----

    [Fact]
    public async Task Each_interval_pays_up_to_the_last_heartbeat_raising_a_release_not_yet_sent_and_queueing_behind_one_sent()
    {
        var w = await WorldAsync();
        var job = await w.RunningJobAsync(Spec());

        // Nothing is paid before the lease is open on chain.
        _time.Advance(TimeSpan.FromSeconds(30));
        w.Heartbeat();
        Assert.Equal(0, await w.Meter.TickAsync(None));
        await w.OpenDoneAsync(job);

        Assert.Equal(1, await w.Meter.TickAsync(None));
        Assert.Equal(["open done 0", "release pending 30 #0"], await w.IntentsAsync(job));

        // Not sent yet: the same release now pays more (one release in flight per lease, never two queued).
        _time.Advance(TimeSpan.FromSeconds(30.7));
        w.Heartbeat();
        Assert.Equal(1, await w.Meter.TickAsync(None));
        Assert.Equal(["open done 0", "release pending 60 #0"], await w.IntentsAsync(job));

        // Sent: the next interval is a new release, after it.
        var sent = await w.Store.MarkSentAsync((await w.Store.ListForJobAsync(job.Id, None))[1].Id, _time.GetUtcNow(), None);
        Assert.Equal(60UL, sent.Seconds);
        _time.Advance(TimeSpan.FromSeconds(30));
        w.Heartbeat();
        Assert.Equal(1, await w.Meter.TickAsync(None));
        Assert.Equal(["open done 0", "release sent 60 #0", "release pending 90 #1"], await w.IntentsAsync(job));

        // A silent provider earns nothing more, however long the lease stays.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await w.Meter.TickAsync(None));
        Assert.Equal(["open done 0", "release sent 60 #0", "release pending 90 #1"], await w.IntentsAsync(job));
    }

    [Fact]
    public async Task A_lease_that_ends_before_success_is_paid_to_the_last_heartbeat_then_closed_once()
    {
        var w = await WorldAsync();
        var job = await w.FirstReleaseSentAsync(Spec(), TimeSpan.FromSeconds(45.5));

        // Heard at 52 s, lost at 56 s: paid up to 52 s, the rest of the cap comes back.
        _time.Advance(TimeSpan.FromSeconds(6.5));
        w.Heartbeat();
        _time.Advance(TimeSpan.FromSeconds(4));
        var lost = await w.EndAsync(job, JobState.Failed);
        await w.Ledger.AttemptEndedAsync(lost, lost.CurrentAttempt!.Epoch, None);
        await w.Ledger.AttemptEndedAsync(lost, lost.CurrentAttempt!.Epoch, None); // redelivered: nothing more
        Assert.False(await w.Ledger.IntervalAsync(lost, None));

        Assert.Equal(["open done 0", "release sent 45 #0", "release pending 52 #1", "close pending 0"], await w.IntentsAsync(job));
    }

    [Fact]
    public async Task A_lease_a_reconnecting_provider_no_longer_holds_is_paid_only_up_to_the_connection_before()
    {
        var w = await WorldAsync();
        var job = await w.FirstReleaseSentAsync(Spec(), TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(20));
        w.Heartbeat();

        // 25 s later it dials in again and its hello does not name the lease (the agent restarted meanwhile).
        _time.Advance(TimeSpan.FromSeconds(25));
        var hello = w.Reconnect();
        var lost = await w.EndAsync(job, JobState.Failed);
        await w.Ledger.AttemptEndedAsync(lost, lost.CurrentAttempt!.Epoch, None, heardUntil: hello.HeardBefore ?? DateTimeOffset.MinValue);

        Assert.Equal(T0.AddSeconds(50), hello.HeardBefore);
        Assert.Equal(["open done 0", "release sent 30 #0", "release pending 50 #1", "close pending 0"], await w.IntentsAsync(job));
    }

    [Fact]
    public async Task A_cancelled_streaming_lease_whose_last_interval_is_unsent_has_that_release_raised_before_the_close()
    {
        var w = await WorldAsync();
        var job = await w.RunningJobAsync(Spec());
        await w.OpenDoneAsync(job);
        _time.Advance(TimeSpan.FromSeconds(20));
        w.Heartbeat();
        await w.Meter.TickAsync(None);
        _time.Advance(TimeSpan.FromSeconds(7));
        w.Heartbeat();

        var cancelled = await w.EndAsync(job, JobState.Cancelled);
        await w.Ledger.AttemptEndedAsync(cancelled, cancelled.CurrentAttempt!.Epoch, None);

        Assert.Equal(["open done 0", "release pending 27 #0", "close pending 0"], await w.IntentsAsync(job));
    }

    [Fact]
    public async Task A_successful_streaming_attempt_is_topped_up_to_its_total_and_a_claim_beyond_what_was_seen_is_not_paid()
    {
        var w = await WorldAsync();
        var job = await w.FirstReleaseSentAsync(Spec(), TimeSpan.FromSeconds(30));

        // The provider reports 500 s of wall time after 41.3 s: paid 42 s, what the coordinator saw, rounded up.
        _time.Advance(TimeSpan.FromSeconds(11.3));
        var done = await w.EndAsync(job, JobState.Succeeded, new Usage(TimeSpan.FromSeconds(500), TimeSpan.Zero, 0));
        await w.Ledger.AttemptEndedAsync(done, done.CurrentAttempt!.Epoch, None);

        Assert.Equal(["open done 0", "release sent 30 #0", "release pending 42 #1", "close pending 0"], await w.IntentsAsync(job));
    }

    [Fact]
    public async Task A_verified_streaming_job_is_paid_only_by_its_verdict_never_per_interval_nor_when_it_fails()
    {
        var w = await WorldAsync();
        var job = await w.RunningJobAsync(Spec(replicas: 2));
        await w.OpenDoneAsync(job);
        _time.Advance(TimeSpan.FromSeconds(90));
        w.Heartbeat();

        Assert.Equal(0, await w.Meter.TickAsync(None));
        var failed = await w.EndAsync(job, JobState.Failed);
        await w.Ledger.AttemptEndedAsync(failed, failed.CurrentAttempt!.Epoch, None);

        Assert.Equal(["open done 0", "close pending 0"], await w.IntentsAsync(job));
    }

    [Fact]
    public async Task The_meter_ticks_every_stream_interval_of_the_coordinators_clock()
    {
        var w = await WorldAsync(TimeSpan.FromSeconds(10));
        var job = await w.RunningJobAsync(Spec());
        await w.OpenDoneAsync(job);
        await w.Meter.StartAsync(None);
        try
        {
            var work = w.Signal.NextWork();
            _time.Advance(TimeSpan.FromSeconds(9));
            w.Heartbeat();
            Assert.False(work.IsCompleted, "no interval has passed yet");
            _time.Advance(TimeSpan.FromSeconds(1));
            await work.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(["open done 0", "release pending 9 #0"], await w.IntentsAsync(job));
        }
        finally
        {
            await w.Meter.StopAsync(None);
        }
    }

    [Fact]
    public async Task A_lease_opened_with_a_lowered_cap_is_paid_per_interval_and_at_its_end_no_more_than_that_cap_buys()
    {
        var w = await WorldAsync();
        var job = await w.RunningJobAsync(Spec());
        // Its job's authorization had 20_000 left (an earlier attempt was paid the rest): 200 s at 100 a second.
        await w.OpenDoneAsync(job, TokenAmount.FromBaseUnits(20_000));
        _time.Advance(TimeSpan.FromSeconds(300));
        w.Heartbeat();

        Assert.Equal(1, await w.Meter.TickAsync(None));
        var lost = await w.EndAsync(job, JobState.Failed);
        await w.Ledger.AttemptEndedAsync(lost, lost.CurrentAttempt!.Epoch, None);

        Assert.Equal(["open done 0", "release pending 200 #0", "close pending 0"], await w.IntentsAsync(job));
    }

    [Fact]
    public async Task A_milestone_lease_opened_with_a_lowered_cap_is_paid_at_most_what_that_cap_buys()
    {
        var w = await WorldAsync();
        var job = await w.RunningJobAsync(Spec(mode: "milestone"));
        await w.OpenDoneAsync(job, TokenAmount.FromBaseUnits(20_000));
        _time.Advance(TimeSpan.FromSeconds(300));

        var done = await w.EndAsync(job, JobState.Succeeded, new Usage(TimeSpan.FromSeconds(300), TimeSpan.Zero, 0));
        await w.Ledger.AttemptEndedAsync(done, done.CurrentAttempt!.Epoch, None);

        Assert.Equal(["open done 0", "release pending 200 #0", "close pending 0"], await w.IntentsAsync(job));
    }

    // ---- the store ----

    [Fact]
    public async Task Sending_a_release_sends_the_seconds_it_was_raised_to_after_the_worker_read_it()
    {
        var w = await WorldAsync();
        var job = await w.RunningJobAsync(Spec());
        await w.OpenDoneAsync(job);
        _time.Advance(TimeSpan.FromSeconds(30));
        w.Heartbeat();
        await w.Meter.TickAsync(None);
        var read = (await w.Store.ListUnfinishedAsync(10, None)).Single();

        _time.Advance(TimeSpan.FromSeconds(30));
        w.Heartbeat();
        await w.Meter.TickAsync(None);
        var sent = await w.Store.MarkSentAsync(read.Id, _time.GetUtcNow(), None);

        Assert.Equal((30UL, 60UL, IntentState.Sent), (read.Seconds, sent.Seconds, sent.State));
    }

    [Fact]
    public async Task A_database_from_before_per_interval_releases_keeps_its_intents_and_accepts_a_second_release()
    {
        var file = _dir.Combine("old.db");
        await using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = OldSchema + """
                INSERT INTO settlement_intents(job_id, attempt, action, lease_id, requester, provider, rate_per_hour, cap, seconds, mode, state,
                  created_at, updated_at, tx_hash, gas_used, note)
                VALUES ('0197a5c2e4b07d3f8a1b2c3d4e5f6a7b', 1, 'open', '0xab', '0x1111111111111111111111111111111111111111',
                  '0x2222222222222222222222222222222222222222', 360000, 60000, 0, 'streaming', 'done', 't', 't', '0xtx', 118806, 'mined'),
                  ('0197a5c2e4b07d3f8a1b2c3d4e5f6a7b', 1, 'release', '0xab', '0x1111111111111111111111111111111111111111',
                  '0x2222222222222222222222222222222222222222', 360000, 60000, 120, 'streaming', 'done', 't', 't', '0xtx2', 110198, 'mined');
                """;
            await cmd.ExecuteNonQueryAsync();
        }
        var store = SqliteSettlementStore.ForFile(file);

        await store.InitializeAsync(None);
        await store.InitializeAsync(None); // every start applies it; once migrated it is a no-op
        var job = JobId.Parse("0197a5c2e4b07d3f8a1b2c3d4e5f6a7b");
        var kept = await store.ListForJobAsync(job, None);
        Assert.True(await store.AddReleaseAsync(kept[1] with { Id = 0, State = IntentState.Pending, Seconds = 180 }, T0, None));

        Assert.Equal(["open done 0 #0 118806", "release done 120 #0 110198", "release pending 180 #1 "],
            (await store.ListForJobAsync(job, None)).Select(i => $"{i.Action.ToWire()} {i.State.ToWire()} {i.Seconds} #{i.Seq} {i.GasUsed}").ToArray());
        Assert.Equal(3L, (await store.ListUnfinishedAsync(10, None)).Single().Id);
    }

    private const string OldSchema = """
        CREATE TABLE settlement_intents(
          id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, attempt INTEGER NOT NULL, action TEXT NOT NULL,
          lease_id TEXT NOT NULL, requester TEXT NOT NULL, provider TEXT NOT NULL, rate_per_hour INTEGER NOT NULL,
          cap INTEGER NOT NULL, seconds INTEGER NOT NULL, mode TEXT NOT NULL, state TEXT NOT NULL,
          failures INTEGER NOT NULL DEFAULT 0, next_try_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
          tx_hash TEXT, gas_used INTEGER, note TEXT, UNIQUE(job_id, attempt, action));
        CREATE INDEX settlement_intents_by_state ON settlement_intents(state, id);
        CREATE TABLE settlement_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """;

    // ---- the world ----

    private static string Spec(string mode = "streaming", int replicas = 1, string timeout = "10m") =>
        JobSpecs.Shell("stream", "sleep 600", timeout: timeout) + $"\nprice: {{ maxPerHour: \"1\", mode: {mode} }}\nverify: {{ replicas: {replicas} }}\n";

    private static JobSpec Parsed(string specText) =>
        JobSpecParser.Parse(specText, "job.yaml").Spec ?? throw new InvalidOperationException("the test spec does not parse");

    private static Job NewJob(string specText) =>
        new(JobId.New(TimeProvider.System), Requester, "stream", specText, Parsed(specText), JobState.Running, T0, T0, null, null, [], [], []);

    private static Attempt Running(DateTimeOffset? startedAt) =>
        new(1, 1, ProviderAddress, JobState.Running, T0.AddSeconds(-1), startedAt, null, null, null, null, Rate);

    private async Task<World> WorldAsync(TimeSpan? interval = null)
    {
        var file = _dir.Combine("coordinator.db");
        var jobs = SqliteJobStore.ForFile(file);
        var store = SqliteSettlementStore.ForFile(file);
        await jobs.InitializeAsync(None);
        await store.InitializeAsync(None);
        var chain = new SettlementChain(true, new ChainOptions());
        var providers = new ConnectedProviders(_time);
        var signal = new SettlementSignal();
        var ledger = new SettlementLedger(store, jobs, chain, signal, providers, _time, NullLogger<SettlementLedger>.Instance);
        var meter = new StreamMeter(chain, jobs, ledger, Options.Create(new SettlementOptions { StreamInterval = interval ?? TimeSpan.FromMinutes(1) }),
            _time, NullLogger<StreamMeter>.Instance);
        return new World(_time, jobs, store, providers, signal, ledger, meter);
    }

    private sealed record World(FakeTimeProvider Time, SqliteJobStore Jobs, SqliteSettlementStore Store, ConnectedProviders Providers,
        SettlementSignal Signal, SettlementLedger Ledger, StreamMeter Meter)
    {
        private ProviderSession? _session;

        /// <summary>A job leased to the provider at <see cref="Rate"/> and started now (the provider says hello first).</summary>
        public async Task<Job> RunningJobAsync(string spec)
        {
            _session = new ProviderSession(ProviderAddress, new Hello("test", "streamer", new HardwareView("cpu", 2, 4L << 30, 10L << 30, []),
                ["runtime:process"], new SandboxView("test", "none", [])), Time.GetUtcNow());
            Providers.Connect(_session);
            var job = NewJob(spec) with { State = JobState.Queued, CreatedAt = Time.GetUtcNow(), UpdatedAt = Time.GetUtcNow() };
            await Jobs.InsertJobAsync(job, None);
            var attempt = (await Jobs.AssignAsync(job.Id, ProviderAddress, Rate, Time.GetUtcNow(), None))!;
            var leased = (await Jobs.GetJobAsync(job.Id, None))!;
            await Ledger.LeaseStartedAsync(leased, attempt, None);
            await Jobs.TransitionAsync(job.Id, attempt.Epoch, new JobTransition(JobState.Running, Time.GetUtcNow()), None);
            return (await Jobs.GetJobAsync(job.Id, None))!;
        }

        /// <summary>The coordinator hears from the provider now.</summary>
        public void Heartbeat() => _session!.LastSeen = Time.GetUtcNow();

        /// <summary>A running job whose lease is open and whose first interval release, after it ran <paramref name="ran"/>
        /// (heard from at the end), has been sent.</summary>
        public async Task<Job> FirstReleaseSentAsync(string spec, TimeSpan ran)
        {
            var job = await RunningJobAsync(spec);
            await OpenDoneAsync(job);
            Time.Advance(ran);
            Heartbeat();
            await Meter.TickAsync(None);
            await Store.MarkSentAsync((await Store.ListForJobAsync(job.Id, None))[1].Id, Time.GetUtcNow(), None);
            return job;
        }

        /// <summary>The provider connects again (its hello, now); the new session replaces the old one.</summary>
        public ProviderSession Reconnect()
        {
            _session = new ProviderSession(ProviderAddress, _session!.Hello, Time.GetUtcNow());
            Providers.Connect(_session);
            return _session;
        }

        /// <summary>The lease's open is on chain, with its full cap or the <paramref name="cap"/> the worker lowered it to.</summary>
        public async Task OpenDoneAsync(Job job, TokenAmount? cap = null)
        {
            var open = (await Store.ListForJobAsync(job.Id, None)).Single(i => i.Action == SettlementAction.Open);
            await Store.MarkOpenSentAsync(open.Id, cap ?? open.Cap, Time.GetUtcNow(), None);
            await Store.MarkDoneAsync(open.Id, "0xopen", 1, "mined", Time.GetUtcNow(), None);
        }

        public async Task<Job> EndAsync(Job job, JobState state, Usage? usage = null)
        {
            var result = await Jobs.TransitionAsync(job.Id, job.CurrentAttempt!.Epoch, new JobTransition(state, Time.GetUtcNow(), Usage: usage), None);
            Assert.Equal(TransitionOutcome.Applied, result.Outcome);
            return result.Job!;
        }

        public async Task<string[]> IntentsAsync(Job job) =>
            (await Store.ListForJobAsync(job.Id, None))
            .Select(i => i.Action == SettlementAction.Release
                ? $"{i.Action.ToWire()} {i.State.ToWire()} {i.Seconds} #{i.Seq}"
                : $"{i.Action.ToWire()} {i.State.ToWire()} {i.Seconds}")
            .ToArray();
    }

    public void Dispose() => _dir.Dispose();
}
