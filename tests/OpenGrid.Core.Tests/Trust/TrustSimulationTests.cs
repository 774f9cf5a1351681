using System.Globalization;
using OpenGrid.Core.Trust;
using Xunit.Abstractions;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>
/// The trust policy against 100,000 simulated jobs (docs/trust.md shows the tables these print): the targets,
/// how low cheat rates and collusion degrade them, and what canaries do for jobs that ask for no verification.
/// </summary>
public sealed class TrustSimulationTests(ITestOutputHelper output)
{
    private const double AcceptanceTarget = 1e-4;
    private const double OverheadTarget = 0.15;

    /// <summary>10% dishonest, all independent: 5% answering at random, 5% lazy (skipping 30% of their work).</summary>
    private static readonly Population Independent = new(0.05, 0.05, 0);

    private static readonly Lazy<SimulationReport> Mixed = new(() => TrustSimulation.Run(new SimulationSetup()));

    [Fact]
    public void With_independent_cheaters_fewer_than_1_in_10000_verified_jobs_accept_a_wrong_result()
    {
        var report = TrustSimulation.Run(new SimulationSetup { Population = Independent });
        output.WriteLine(report.Format());

        Assert.True(report.All.VerifiedAcceptance < AcceptanceTarget, $"{report.All.FraudAcceptedVerified} wrong results accepted in {report.All.VerifiedJobs} verified jobs");
        Assert.True(report.Steady.VerifiedAcceptance < AcceptanceTarget, $"{report.Steady.FraudAcceptedVerified} wrong results accepted in {report.Steady.VerifiedJobs} verified jobs at steady state");
    }

    [Fact]
    public void At_steady_state_replication_and_canaries_cost_less_than_15_percent_more_executions()
    {
        var report = Mixed.Value;
        output.WriteLine(report.Format());

        Assert.True(report.Steady.Overhead < OverheadTarget, $"steady-state overhead {report.Steady.Overhead:P1}");
        // Trust is earned: while streaks build, most verified jobs are replicated as requested.
        Assert.True(report.WarmUp.Overhead > 2 * report.Steady.Overhead, $"warm-up overhead {report.WarmUp.Overhead:P1} vs steady {report.Steady.Overhead:P1}");
    }

    [Fact]
    public void Every_independent_cheater_is_caught_and_honest_providers_stay_matchable()
    {
        var census = Mixed.Value.Census;
        output.WriteLine(Mixed.Value.Format());

        foreach (var kind in new[] { ProviderKind.RandomAnswers, ProviderKind.Lazy })
        {
            Assert.True(census.CanaryFailures[kind] + census.Disagreements[kind] >= census.Providers[kind], $"{kind}: fewer catches than providers");
            Assert.Equal(census.Providers[kind], census.ExcludedAtEnd[kind]);
        }
        Assert.True(census.ExcludedAtEnd[ProviderKind.Honest] <= census.Providers[ProviderKind.Honest] / 100, $"{census.ExcludedAtEnd[ProviderKind.Honest]} honest providers excluded");
    }

    /// <summary>
    /// Adaptive replication leaves a trusted provider's verified jobs unchecked with probability 1 − 1/streak, so a
    /// cheater careful enough to keep its streak gets about its cheat rate of those accepted. The target holds for
    /// cheat rates of 30% and more; full replication stops independent cheaters at every rate.
    /// </summary>
    [Fact]
    public void Independent_cheaters_meet_the_target_from_a_30_percent_cheat_rate_and_forced_replication_stops_them_at_any()
    {
        output.WriteLine(SimulationReport.SweepHeader("lazy cheat rate (10% lazy) / replication"));
        foreach (var rate in new[] { 1.0, 0.3, 0.1, 0.03, 0.01 })
        {
            var population = new Population(0, 0.1, 0) { LazyCheatRate = rate };
            var adaptive = TrustSimulation.Run(new SimulationSetup { Population = population });
            var forced = TrustSimulation.Run(new SimulationSetup { Population = population, ForceFullRate = 1 });
            output.WriteLine(adaptive.SweepRow(Label($"{rate:P0} / adaptive")));
            output.WriteLine(forced.SweepRow(Label($"{rate:P0} / forced full")));

            Assert.Equal(0, forced.All.FraudAcceptedVerified);
            Assert.True(adaptive.All.VerifiedAcceptance <= population.Lazy * rate, $"at {rate:P0} more than the cheat rate of the cheaters' work was accepted");
            if (rate >= 0.3)
                Assert.True(adaptive.All.VerifiedAcceptance < AcceptanceTarget, $"at {rate:P0}: {adaptive.All.VerifiedAcceptance:0.0e+0}");
        }
    }

    /// <summary>
    /// Colluders who cheat only when the cartel holds every replica of a job get a wrong result accepted about as often
    /// as a replicated job's first batch lands entirely on the cartel: f² for 2 of 2, 3f² − 2f³ for 2 of 3, times the
    /// share of verified jobs replicated. Canary replicas landing on the cartel catch them, slowly.
    /// </summary>
    [Fact]
    public void Colluders_are_accepted_about_as_often_as_a_replicated_job_lands_entirely_on_the_cartel()
    {
        output.WriteLine(SimulationReport.SweepHeader("colluding share"));
        var previous = 0.0;
        foreach (var share in new[] { 0.01, 0.02, 0.05, 0.1, 0.2, 0.3 })
        {
            var report = TrustSimulation.Run(new SimulationSetup { Population = new Population(0, 0, share) });
            output.WriteLine(report.SweepRow(Label($"{share:P0}")));

            var allOnCartel = 0.8 * share * share + 0.2 * (3 * share * share - 2 * share * share * share);
            var expected = report.Steady.ReplicatedShare * allOnCartel;
            Assert.True(report.Steady.VerifiedAcceptance <= 1.5 * expected + 3.0 / report.Steady.VerifiedJobs,
                $"at {share:P0}: {report.Steady.VerifiedAcceptance:0.0e+0} accepted, the cartel holds whole quorums of {expected:0.0e+0}");
            Assert.True(report.All.VerifiedAcceptance >= previous, $"more colluders ({share:P0}) got fewer wrong results accepted");
            if (share <= 0.02)
                Assert.True(report.All.VerifiedAcceptance < AcceptanceTarget, $"at {share:P0}: {report.All.VerifiedAcceptance:0.0e+0}");
            previous = report.All.VerifiedAcceptance;
        }
    }

    /// <summary>
    /// Cheaters that read the spec and cheat only on jobs asking for one replica are policed by canaries alone. A
    /// canary copies a real job's policy, so one in about 1/rate of the unverified-looking jobs a cheater answers is a
    /// canary: it corrupts about 1/rate jobs between catches (the last run, cut short by the end of the simulation,
    /// is not followed by a catch), and each catch excludes it for days.
    /// </summary>
    [Fact]
    public void Canaries_bound_what_cheaters_targeting_unverified_jobs_corrupt()
    {
        output.WriteLine(SimulationReport.SweepHeader("canary rate (10% cheaters targeting unverified jobs)"));
        var population = Independent with { TargetUnverified = true };
        var corrupted = new List<double>();
        foreach (var rate in new[] { 0.0, 0.02, 0.05, 0.1 })
        {
            var report = TrustSimulation.Run(new SimulationSetup { Population = population, Canary = new() { Rate = rate } });
            var catches = report.Census.CanaryFailures[ProviderKind.RandomAnswers] + report.Census.CanaryFailures[ProviderKind.Lazy];
            var cheaters = report.Census.Providers[ProviderKind.RandomAnswers] + report.Census.Providers[ProviderKind.Lazy];
            output.WriteLine(report.SweepRow(Label($"{rate:P0}: {catches} canary catches")));
            corrupted.Add(report.All.UnverifiedAcceptance);

            if (rate > 0)
                Assert.True(report.All.FraudAcceptedUnverified <= (1 + rate) / rate * (catches + cheaters),
                    $"at {rate:P0}: {report.All.FraudAcceptedUnverified} corrupted for {catches} canary catches of {cheaters} cheaters");
        }

        Assert.Equal(corrupted.OrderDescending(), corrupted);
        Assert.Equal(0.065, corrupted[0], 0.005); // without canaries: 5% × 100% + 5% × 30% of the unverified work
    }

    /// <summary>
    /// What each mechanism against low-rate cheaters buys (docs/trust.md, low-rate cheaters), 10% lazy providers at a
    /// 10% and a 3% cheat rate: adaptive replication alone (1/streak), a floor on the replication probability, a
    /// heavy loss for a result outvoted by reputable providers, both (the defaults), and the defaults with retroactive
    /// audits. The floor and the outvoted loss halve what is accepted within the overhead target; audits revoke the
    /// rest later, all of it at 10%, a third at 3% within the run; none reaches 1e-4 at delivery within 15% overhead
    /// (the bound is in the docs).
    /// </summary>
    [Fact]
    public void Against_low_rate_cheaters_the_floor_and_the_outvoted_loss_halve_acceptance_and_audits_revoke_what_they_catch()
    {
        var baseline = new SimulationSetup
        {
            Replication = ReplicationOptions.Default with { MinProbability = 0 },
            Reputation = ReputationOptions.Default with { OutvotedLoss = ReputationOptions.Default.DisagreementLoss },
        };
        var mechanisms = new (string Name, SimulationSetup Setup)[]
        {
            ("1/streak only", baseline),
            ("floor 0.1", baseline with { Replication = ReplicationOptions.Default }),
            ("outvoted loss 0.5", baseline with { Reputation = ReputationOptions.Default }),
            ("floor 0.1 + outvoted loss 0.5 (defaults)", new SimulationSetup()),
            ("defaults + audits (last 100, 7 days)", new SimulationSetup { Audit = Audits }),
        };
        output.WriteLine(SimulationReport.MechanismHeader("lazy cheat rate (10% lazy) / mechanism"));
        foreach (var rate in new[] { 0.1, 0.03 })
        {
            var population = new Population(0, 0.1, 0) { LazyCheatRate = rate };
            var reports = mechanisms.Select(m => TrustSimulation.Run(m.Setup with { Population = population })).ToList();
            foreach (var (mechanism, report) in mechanisms.Zip(reports))
                output.WriteLine(report.MechanismRow(Label($"{rate:P0} / {mechanism.Name}")));

            var (none, defaults, audited) = (reports[0], reports[3], reports[4]);
            Assert.True(defaults.All.VerifiedAcceptance <= 0.6 * none.All.VerifiedAcceptance,
                $"at {rate:P0} the defaults accept {defaults.All.VerifiedAcceptance:0.0e+0}, 1/streak alone {none.All.VerifiedAcceptance:0.0e+0}");
            Assert.True(defaults.Steady.Overhead < OverheadTarget, $"at {rate:P0} the defaults cost {defaults.Steady.Overhead:P1}");
            // A 10% cheater is caught again within days and nearly everything it slipped through is revoked; a 3% one is
            // caught about once a week of its work, so what it slipped through since its last catch is still standing
            // when the two simulated weeks end.
            Assert.True(audited.All.FraudRevokedVerified >= (rate >= 0.1 ? 0.9 : 0.25) * audited.All.FraudAcceptedVerified,
                $"at {rate:P0} audits revoked {audited.All.FraudRevokedVerified} of {audited.All.FraudAcceptedVerified}");
            Assert.Equal(0, audited.All.RightResultsRevoked);
            Assert.True(audited.Steady.Overhead < OverheadTarget, $"at {rate:P0} audits cost {audited.Steady.Overhead:P1}");
            // The documented bound: careful cheaters are still accepted above the target at delivery.
            Assert.True(defaults.All.VerifiedAcceptance > AcceptanceTarget, $"at {rate:P0}: {defaults.All.VerifiedAcceptance:0.0e+0}; update docs/trust.md");
        }
    }

    /// <summary>The audits measured in docs/trust.md: a caught provider's last 100 unreplicated results of the past week.</summary>
    private static readonly AuditOptions Audits = new() { Window = 100, MaxAge = TimeSpan.FromDays(7) };

    [Fact]
    public void The_same_seed_gives_the_same_report_and_another_seed_another()
    {
        var setup = new SimulationSetup { Jobs = 10_000 };

        var first = TrustSimulation.Run(setup);

        Assert.Equal(first.Format(), TrustSimulation.Run(setup).Format());
        Assert.NotEqual(first.Format(), TrustSimulation.Run(setup with { Seed = setup.Seed + 1 }).Format());
    }

    private static string Label(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
