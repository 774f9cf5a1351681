using System.Globalization;
using System.Text;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>
/// Counts for one phase of a simulation. "Verified" jobs asked for more than one replica (whether or not adaptive
/// replication ran them on one); "unverified" jobs asked for one, and only canaries police them. Fraud is a wrong
/// result from a provider that cheated; a fault is a wrong result from an honest one.
/// </summary>
public sealed record PhaseReport
{
    public int Jobs { get; init; }
    public int VerifiedJobs { get; init; }
    public int UnverifiedJobs { get; init; }

    /// <summary>Verified jobs that adaptive replication did replicate (their first batch had more than one replica).</summary>
    public int ReplicatedJobs { get; init; }
    public int FraudAcceptedVerified { get; init; }
    public int FraudAcceptedUnverified { get; init; }
    public int FaultsAccepted { get; init; }
    public int FailedJobs { get; init; }
    public int UnplacedJobs { get; init; }

    /// <summary>Replicas beyond the first in each job's first batch (what adaptive replication did not skip).</summary>
    public int ExtraReplicas { get; init; }

    /// <summary>Replicas launched after a disagreement or a failed replica.</summary>
    public int Relaunches { get; init; }

    public int Canaries { get; init; }
    public int CanaryExecutions { get; init; }

    /// <summary>Wrong results accepted per job that asked for verification: the target is below 1e-4.</summary>
    public double VerifiedAcceptance => Ratio(FraudAcceptedVerified, VerifiedJobs);

    /// <summary>Wrong results accepted per job that asked for no verification.</summary>
    public double UnverifiedAcceptance => Ratio(FraudAcceptedUnverified, UnverifiedJobs);

    /// <summary>Share of the verified jobs that were replicated.</summary>
    public double ReplicatedShare => Ratio(ReplicatedJobs, VerifiedJobs);

    /// <summary>Executions beyond one per job, per job: extra replicas, relaunches and canaries. The target is below 15%.</summary>
    public double Overhead => Ratio(ExtraReplicas + Relaunches + CanaryExecutions, Jobs);

    public PhaseReport Plus(PhaseReport o) => new()
    {
        Jobs = Jobs + o.Jobs,
        VerifiedJobs = VerifiedJobs + o.VerifiedJobs,
        UnverifiedJobs = UnverifiedJobs + o.UnverifiedJobs,
        ReplicatedJobs = ReplicatedJobs + o.ReplicatedJobs,
        FraudAcceptedVerified = FraudAcceptedVerified + o.FraudAcceptedVerified,
        FraudAcceptedUnverified = FraudAcceptedUnverified + o.FraudAcceptedUnverified,
        FaultsAccepted = FaultsAccepted + o.FaultsAccepted,
        FailedJobs = FailedJobs + o.FailedJobs,
        UnplacedJobs = UnplacedJobs + o.UnplacedJobs,
        ExtraReplicas = ExtraReplicas + o.ExtraReplicas,
        Relaunches = Relaunches + o.Relaunches,
        Canaries = Canaries + o.Canaries,
        CanaryExecutions = CanaryExecutions + o.CanaryExecutions,
    };

    private static double Ratio(int count, int of) => of == 0 ? 0 : (double)count / of;
}

/// <summary>Who was caught: canary failures and disagreements, and who is below the match floor at the end, by kind.</summary>
public sealed record Census(
    IReadOnlyDictionary<ProviderKind, int> Providers,
    IReadOnlyDictionary<ProviderKind, int> ExcludedAtEnd,
    IReadOnlyDictionary<ProviderKind, int> CanaryFailures,
    IReadOnlyDictionary<ProviderKind, int> Disagreements);

/// <summary>A simulation's outcome: the warm-up phase, the steady state after it, and the census at the end.</summary>
public sealed record SimulationReport(PhaseReport WarmUp, PhaseReport Steady, Census Census)
{
    public PhaseReport All => WarmUp.Plus(Steady);

    /// <summary>A Markdown table of the phases, then the census.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine("| phase | jobs | wrong accepted / verified job | wrong accepted / unverified job | honest faults accepted | failed / unplaced | overhead (extra + relaunch + canary) |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, p) in new[] { ("warm-up", WarmUp), ("steady", Steady), ("all", All) })
        {
            var overhead = Invariant($"{p.Overhead:P1} ({Share(p.ExtraReplicas, p.Jobs)} + {Share(p.Relaunches, p.Jobs)} + {Share(p.CanaryExecutions, p.Jobs)})");
            text.AppendLine(Invariant($"| {name} | {p.Jobs:N0} | {p.FraudAcceptedVerified} / {p.VerifiedJobs:N0} = {p.VerifiedAcceptance:0.0e+0} | {p.FraudAcceptedUnverified} / {p.UnverifiedJobs:N0} = {p.UnverifiedAcceptance:0.0e+0} | {p.FaultsAccepted} | {p.FailedJobs} / {p.UnplacedJobs} | {overhead} |"));
        }
        text.AppendLine();
        text.AppendLine("| kind | providers | excluded at end | canary failures | disagreements |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var kind in Enum.GetValues<ProviderKind>())
            text.AppendLine(Invariant($"| {kind} | {Census.Providers[kind]} | {Census.ExcludedAtEnd[kind]} | {Census.CanaryFailures[kind]} | {Census.Disagreements[kind]} |"));
        return text.ToString();
    }

    /// <summary>The header of a sweep table: one <see cref="SweepRow"/> per setup.</summary>
    public static string SweepHeader(string setting) =>
        $"| {setting} | wrong accepted / verified job (all; steady) | wrong accepted / unverified job (all) | verified jobs replicated (steady) | overhead (steady) |\n|---|---:|---:|---:|---:|";

    public string SweepRow(string value) => Invariant(
        $"| {value} | {All.FraudAcceptedVerified} = {All.VerifiedAcceptance:0.0e+0}; {Steady.FraudAcceptedVerified} = {Steady.VerifiedAcceptance:0.0e+0} | {All.FraudAcceptedUnverified} = {All.UnverifiedAcceptance:0.0e+0} | {Steady.ReplicatedShare:P1} | {Steady.Overhead:P1} |");

    private static string Share(int count, int of) => Invariant($"{(of == 0 ? 0 : (double)count / of):P1}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
