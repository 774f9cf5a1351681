using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Core.Trust;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>
/// A seeded, in-process run of the trust policy over a population of providers: no sleeps, a fake clock advanced by
/// <see cref="SimulationSetup.JobInterval"/> per job, one <see cref="Random"/> for every draw.
/// <para>Per job: draw a class, a requested verify policy and whether the requester forces full replication; match the
/// first replica to a random matchable provider (reputation at or above the floor, able to run the class); let
/// <see cref="AdaptiveReplication"/> decide the policy from that provider's streak; match the other replicas on
/// distinct providers; run them and follow <see cref="Quorum"/> until it accepts or fails; report the events to
/// <see cref="Reputation"/> and <see cref="Streaks"/> (a dissenter outvoted by reputable winners reports
/// <see cref="TrustEvent.Outvoted"/>). With probability <see cref="CanaryOptions.Rate"/> a canary of the
/// same class and requested policy follows, placed and replicated the same way, every answer judged against the
/// known one. With audits on (<see cref="SimulationSetup.Audit"/>), a provider caught giving a wrong result has its recent
/// unreplicated verified results re-run elsewhere (<see cref="RetroactiveAudit"/>), and those outvoted are revoked.</para>
/// <para>Matching is uniform among matchable providers: the real matcher ranks by price first, so reputation only
/// excludes here, which is the cheaters' best case.</para>
/// </summary>
public sealed class TrustSimulation
{
    private const int MaxPickTries = 64;

    private readonly SimulationSetup setup;
    private readonly Random random;
    private readonly SimulatedProvider[] providers;
    private readonly Address[] addresses;
    private readonly Standing[] standings;
    private readonly int[,] streaks;
    private readonly int[][] candidates;
    private readonly Dictionary<ProviderKind, int> canaryFailures = Enum.GetValues<ProviderKind>().ToDictionary(k => k, _ => 0);
    private readonly Dictionary<ProviderKind, int> disagreements = Enum.GetValues<ProviderKind>().ToDictionary(k => k, _ => 0);
    private readonly Dictionary<ProviderKind, int> outvoted = Enum.GetValues<ProviderKind>().ToDictionary(k => k, _ => 0);
    private readonly List<AuditItem>[] unreplicated;
    private readonly Queue<int> caught = new();
    private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private TrustSimulation(SimulationSetup setup)
    {
        this.setup = setup;
        random = new Random(setup.Seed);
        providers = CreatePopulation(setup, random);
        addresses = [.. Enumerable.Range(0, providers.Length).Select(i => Address.Parse($"0x{i + 1:x40}"))];
        standings = [.. providers.Select(_ => Standing.Newcomer(now, setup.Reputation))];
        streaks = new int[providers.Length, setup.Classes.Count];
        candidates = [.. setup.Classes.Select(c => Enumerable.Range(0, providers.Length).Where(p => !c.NeedsGpu || providers[p].HasGpu).ToArray())];
        unreplicated = [.. providers.Select(_ => new List<AuditItem>())];
    }

    public static SimulationReport Run(SimulationSetup setup) => new TrustSimulation(setup).Run();

    private SimulationReport Run()
    {
        var warmUpJobs = (int)(setup.Jobs * setup.WarmUp);
        var warmUp = new PhaseTally();
        var steady = new PhaseTally();
        for (var i = 0; i < setup.Jobs; i++)
        {
            var tally = i < warmUpJobs ? warmUp : steady;
            var job = NextJob();
            RunJob(job, tally);
            if (CanaryPolicy.ShouldInject(random.NextDouble(), setup.Canary))
                RunCanary(job with { Truth = NextTruth() }, tally);
            RunAudits(tally);
            now += setup.JobInterval;
        }
        return new SimulationReport(warmUp.ToReport(), steady.ToReport(), TakeCensus());
    }

    private SimulatedJob NextJob()
    {
        var cls = Pick(setup.Classes, c => c.Weight);
        var requested = Pick(setup.VerifyMix, v => v.Weight).Policy;
        var forceFull = requested.Replicas > 1 && random.NextDouble() < setup.ForceFullRate;
        return new SimulatedJob(cls, requested, forceFull, NextTruth());
    }

    private double NextTruth() => 1 + random.NextDouble() * 999;

    private void RunJob(SimulatedJob job, PhaseTally tally)
    {
        tally.Jobs++;
        var verified = job.Requested.Replicas > 1;
        if (verified)
            tally.VerifiedJobs++;
        else
            tally.UnverifiedJobs++;

        var run = new Replicas(job);
        if (!StartReplicas(run, out var policy))
        {
            tally.UnplacedJobs++;
            return;
        }
        tally.ExtraReplicas += run.Launched - 1;
        if (run.Launched > 1)
            tally.ReplicatedJobs++;
        var maxReplicas = setup.Replication.MaxReplicasFor(policy);
        while (true)
        {
            switch (Quorum.Evaluate(run.Outcomes, policy.Quorum, run.Launched, maxReplicas, SimulatedProvider.Agree))
            {
                case QuorumVerdict<double>.LaunchMore more:
                    var launched = Launch(run, more.Count);
                    tally.Relaunches += launched;
                    if (launched == 0)
                    {
                        tally.UnplacedJobs++;
                        ReportFailures(run);
                        return;
                    }
                    break;
                case QuorumVerdict<double>.Accepted accepted:
                    Settle(run, accepted, verified, tally);
                    return;
                case QuorumVerdict<double>.Failed:
                    tally.FailedJobs++;
                    ReportFailures(run);
                    return;
                case var pending:
                    throw new InvalidOperationException($"every replica finishes at once here, yet the verdict was {pending}");
            }
        }
    }

    private void RunCanary(SimulatedJob canary, PhaseTally tally)
    {
        tally.Canaries++;
        var run = new Replicas(canary);
        if (!StartReplicas(run, out _))
            return;
        tally.CanaryExecutions += run.Launched;
        foreach (var outcome in run.Outcomes)
        {
            var trustEvent = !outcome.Succeeded ? TrustEvent.TimedOut
                : SimulatedProvider.Agree(outcome.Result, canary.Truth) ? TrustEvent.CanaryPassed
                : TrustEvent.CanaryFailed;
            Report(outcome.Replica, run, trustEvent);
        }
    }

    /// <summary>Matches the first replica, asks adaptive replication for the policy, then matches and runs the rest.</summary>
    private bool StartReplicas(Replicas run, out VerifyPolicy policy)
    {
        policy = run.Job.Requested;
        var first = PickProvider(run);
        if (first < 0)
            return false;
        var classIndex = ClassIndex(run.Job.Class);
        policy = AdaptiveReplication.PolicyFor(run.Job.Requested, run.Job.ForceFull, streaks[first, classIndex], random.NextDouble(), setup.Replication);
        var batch = new List<int> { first };
        run.Providers.Add(first);
        AddProviders(run, batch, policy.Replicas - 1);
        Execute(run, batch);
        return true;
    }

    private int Launch(Replicas run, int count)
    {
        var batch = new List<int>();
        AddProviders(run, batch, count);
        Execute(run, batch);
        return batch.Count;
    }

    private void AddProviders(Replicas run, List<int> batch, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var p = PickProvider(run);
            if (p < 0)
                return;
            run.Providers.Add(p);
            batch.Add(p);
        }
    }

    /// <summary>Runs a batch of replicas; colluders see every cartel member on the job so far, this batch included.</summary>
    private void Execute(Replicas run, List<int> batch)
    {
        var cartel = run.Providers.Count(p => providers[p].Kind == ProviderKind.Colluding);
        foreach (var p in batch)
        {
            var replica = run.Providers.IndexOf(p) + 1;
            var answer = providers[p].Answer(run.Job.Truth, run.Job.Requested.Replicas > 1, cartel, setup, random);
            run.Outcomes.Add(answer.Succeeded
                ? ReplicaOutcome<double>.Success(replica, addresses[p], answer.Result)
                : ReplicaOutcome<double>.Failure(replica, addresses[p]));
            if (answer.Cheated)
                run.Cheated.Add(replica);
        }
    }

    private void Settle(Replicas run, QuorumVerdict<double>.Accepted accepted, bool verified, PhaseTally tally)
    {
        if (!SimulatedProvider.Agree(accepted.Result, run.Job.Truth))
        {
            if (accepted.Winners.Any(w => run.Cheated.Contains(w.Replica)))
            {
                if (verified)
                    tally.FraudAcceptedVerified++;
                else
                    tally.FraudAcceptedUnverified++;
            }
            else
            {
                tally.FaultsAccepted++;
            }
        }

        // A lone accepted result was not checked: it earns nothing, and an audit may look at it later.
        if (accepted.Winners.Count == 1 && verified)
        {
            var lone = accepted.Winners[0];
            unreplicated[run.Providers[lone.Replica - 1]].Add(new AuditItem(run.Job, lone.Result, run.Cheated.Contains(lone.Replica), tally, now));
        }
        ReportVerdict(run, accepted);
    }

    /// <summary>Reports the events of an accepted quorum: verified results for two or more winners, and for each
    /// dissenter a disagreement, or an outvoted result when the winners are reputable.</summary>
    private void ReportVerdict(Replicas run, QuorumVerdict<double>.Accepted accepted, int? audited = null)
    {
        var dissent = Reputation.DissentEvent(
            [.. accepted.Winners.Select(w => Reputation.ScoreAt(standings[run.Providers[w.Replica - 1]], now, setup.Reputation))], setup.Reputation);
        if (accepted.Winners.Count >= 2)
        {
            // An audited result confirmed late earns nothing: it was not checked when it was accepted.
            foreach (var winner in accepted.Winners.Where(w => w.Replica != audited))
                Report(winner.Replica, run, TrustEvent.VerifiedResult);
        }
        foreach (var dissenter in accepted.Dissenters)
            Report(dissenter.Replica, run, dissent);
        ReportFailures(run);
    }

    /// <summary>
    /// Re-verifies the recent unreplicated results of every provider caught since the last call: each is an audit job
    /// whose replica 1 is the original result, run on other providers like a 2-of-2 job; a result the audit's quorum
    /// outvotes is revoked (counted in the phase of the original job).
    /// </summary>
    private void RunAudits(PhaseTally tally)
    {
        while (caught.TryDequeue(out var p))
        {
            var recent = unreplicated[p];
            var audited = RetroactiveAudit.Select(Enumerable.Reverse(recent), i => i.At, now, setup.Audit);
            recent.Clear();
            foreach (var item in audited)
            {
                tally.Audits++;
                var run = new Replicas(item.Job with { Requested = AuditPolicy, ForceFull = true });
                run.Providers.Add(p);
                run.Outcomes.Add(ReplicaOutcome<double>.Success(1, addresses[p], item.Result));
                if (item.Cheated)
                    run.Cheated.Add(1);
                var maxReplicas = setup.Replication.MaxReplicasFor(AuditPolicy);
                var decided = false;
                while (!decided)
                {
                    var verdict = Quorum.Evaluate(run.Outcomes, AuditPolicy.Quorum, run.Launched, maxReplicas, SimulatedProvider.Agree);
                    switch (verdict)
                    {
                        case QuorumVerdict<double>.LaunchMore more:
                            var launched = Launch(run, more.Count);
                            tally.AuditExecutions += launched;
                            decided = launched == 0;
                            break;
                        case QuorumVerdict<double>.Accepted accepted:
                            if (RetroactiveAudit.Revokes(verdict, 1))
                            {
                                if (item.Cheated)
                                    item.Tally.FraudRevokedVerified++;
                                else if (!SimulatedProvider.Agree(item.Result, item.Job.Truth))
                                    item.Tally.FaultsRevoked++;
                                else
                                    item.Tally.RightResultsRevoked++;
                            }
                            ReportVerdict(run, accepted, audited: 1);
                            decided = true;
                            break;
                        default:
                            ReportFailures(run);
                            decided = true;
                            break;
                    }
                }
            }
        }
    }

    /// <summary>An audit asks two providers to agree: the original and one re-run, more after a disagreement.</summary>
    private static readonly VerifyPolicy AuditPolicy = new(2, 2, Adaptive: false);

    private void ReportFailures(Replicas run)
    {
        foreach (var failure in run.Outcomes.Where(o => !o.Succeeded))
            Report(failure.Replica, run, TrustEvent.TimedOut);
    }

    private void Report(int replica, Replicas run, TrustEvent trustEvent)
    {
        var p = run.Providers[replica - 1];
        standings[p] = Reputation.Apply(standings[p], trustEvent, now, setup.Reputation);
        var classIndex = ClassIndex(run.Job.Class);
        streaks[p, classIndex] = Streaks.After(streaks[p, classIndex], trustEvent);
        if (trustEvent == TrustEvent.CanaryFailed)
            canaryFailures[providers[p].Kind]++;
        if (trustEvent == TrustEvent.Disagreed)
            disagreements[providers[p].Kind]++;
        if (trustEvent == TrustEvent.Outvoted)
            outvoted[providers[p].Kind]++;
        if (RetroactiveAudit.IsCatch(trustEvent) && setup.Audit.Window > 0)
            caught.Enqueue(p);
    }

    /// <summary>A uniformly random matchable provider for the job's class not already on the job, or -1.</summary>
    private int PickProvider(Replicas run)
    {
        var pool = candidates[ClassIndex(run.Job.Class)];
        for (var i = 0; i < MaxPickTries; i++)
        {
            var p = pool[random.Next(pool.Length)];
            if (IsMatchable(p, run))
                return p;
        }
        var eligible = pool.Where(p => IsMatchable(p, run)).ToArray();
        return eligible.Length == 0 ? -1 : eligible[random.Next(eligible.Length)];
    }

    private bool IsMatchable(int p, Replicas run) =>
        !run.Providers.Contains(p) && Reputation.IsMatchable(Reputation.ScoreAt(standings[p], now, setup.Reputation), setup.Reputation);

    private int ClassIndex(SimulatedClass cls)
    {
        for (var i = 0; i < setup.Classes.Count; i++)
        {
            if (ReferenceEquals(setup.Classes[i], cls))
                return i;
        }
        throw new ArgumentException($"{cls.Class} is not one of the setup's classes", nameof(cls));
    }

    private T Pick<T>(IReadOnlyList<T> items, Func<T, double> weight)
    {
        var draw = random.NextDouble() * items.Sum(weight);
        foreach (var item in items)
        {
            draw -= weight(item);
            if (draw < 0)
                return item;
        }
        return items[^1];
    }

    private Census TakeCensus()
    {
        var kinds = Enum.GetValues<ProviderKind>();
        return new Census(
            kinds.ToDictionary(k => k, k => providers.Count(p => p.Kind == k)),
            kinds.ToDictionary(k => k, k => Enumerable.Range(0, providers.Length)
                .Count(p => providers[p].Kind == k && !Reputation.IsMatchable(Reputation.ScoreAt(standings[p], now, setup.Reputation), setup.Reputation))),
            canaryFailures,
            kinds.ToDictionary(k => k, k => disagreements[k] + outvoted[k]),
            outvoted);
    }

    /// <summary>Shuffles the kinds over the providers; GPUs are drawn independently of the kind.</summary>
    private static SimulatedProvider[] CreatePopulation(SimulationSetup setup, Random random)
    {
        var n = setup.Providers;
        var population = setup.Population;
        var kinds = Enumerable.Repeat(ProviderKind.RandomAnswers, (int)Math.Round(n * population.RandomAnswers))
            .Concat(Enumerable.Repeat(ProviderKind.Lazy, (int)Math.Round(n * population.Lazy)))
            .Concat(Enumerable.Repeat(ProviderKind.Colluding, (int)Math.Round(n * population.Colluding)))
            .ToList();
        kinds.AddRange(Enumerable.Repeat(ProviderKind.Honest, n - kinds.Count));
        var shuffled = kinds.ToArray();
        random.Shuffle(shuffled);
        return [.. shuffled.Select(k => new SimulatedProvider(k, random.NextDouble() < setup.GpuProviders))];
    }

    private sealed record SimulatedJob(SimulatedClass Class, VerifyPolicy Requested, bool ForceFull, double Truth);

    /// <summary>A verified job a provider ran alone (adaptive replication skipped the others): what an audit re-runs.</summary>
    private sealed record AuditItem(SimulatedJob Job, double Result, bool Cheated, PhaseTally Tally, DateTimeOffset At);

    /// <summary>One job's replicas so far: providers in launch order (replica n is Providers[n - 1]), their outcomes,
    /// and which replicas cheated.</summary>
    private sealed class Replicas(SimulatedJob job)
    {
        public SimulatedJob Job { get; } = job;
        public List<int> Providers { get; } = [];
        public List<ReplicaOutcome<double>> Outcomes { get; } = [];
        public HashSet<int> Cheated { get; } = [];
        public int Launched => Providers.Count;
    }

    private sealed class PhaseTally
    {
        public int Jobs, VerifiedJobs, UnverifiedJobs, ReplicatedJobs, FraudAcceptedVerified, FraudAcceptedUnverified, FaultsAccepted;
        public int FailedJobs, UnplacedJobs, ExtraReplicas, Relaunches, Canaries, CanaryExecutions;
        public int Audits, AuditExecutions, FraudRevokedVerified, FaultsRevoked, RightResultsRevoked;

        public PhaseReport ToReport() => new()
        {
            Jobs = Jobs,
            VerifiedJobs = VerifiedJobs,
            UnverifiedJobs = UnverifiedJobs,
            ReplicatedJobs = ReplicatedJobs,
            FraudAcceptedVerified = FraudAcceptedVerified,
            FraudAcceptedUnverified = FraudAcceptedUnverified,
            FaultsAccepted = FaultsAccepted,
            FailedJobs = FailedJobs,
            UnplacedJobs = UnplacedJobs,
            ExtraReplicas = ExtraReplicas,
            Relaunches = Relaunches,
            Canaries = Canaries,
            CanaryExecutions = CanaryExecutions,
            Audits = Audits,
            AuditExecutions = AuditExecutions,
            FraudRevokedVerified = FraudRevokedVerified,
            FaultsRevoked = FaultsRevoked,
            RightResultsRevoked = RightResultsRevoked,
        };
    }
}
