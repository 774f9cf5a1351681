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

    /// <summary>Results re-verified by retroactive audits, and the executions those cost.</summary>
    public int Audits { get; init; }
    public int AuditExecutions { get; init; }

    /// <summary>Wrong results from cheaters that were accepted, then revoked by an audit (counted in the phase the job
    /// was accepted in; also counted in <see cref="FraudAcceptedVerified"/>).</summary>
    public int FraudRevokedVerified { get; init; }

    /// <summary>Honest providers' wrong results revoked by an audit.</summary>
    public int FaultsRevoked { get; init; }

    /// <summary>Right results an audit revoked anyway (its re-runs agreed on a wrong answer).</summary>
    public int RightResultsRevoked { get; init; }

    /// <summary>Cheaters' wrong results accepted and never revoked, per job that asked for verification.</summary>
    public double VerifiedStanding => Ratio(FraudAcceptedVerified - FraudRevokedVerified, VerifiedJobs);

    /// <summary>Wrong results accepted per job that asked for verification: the target is below 1e-4.</summary>
    public double VerifiedAcceptance => Ratio(FraudAcceptedVerified, VerifiedJobs);

    /// <summary>Wrong results accepted per job that asked for no verification.</summary>
    public double UnverifiedAcceptance => Ratio(FraudAcceptedUnverified, UnverifiedJobs);

    /// <summary>Share of the verified jobs that were replicated.</summary>
    public double ReplicatedShare => Ratio(ReplicatedJobs, VerifiedJobs);

    /// <summary>Executions beyond one per job, per job: extra replicas, relaunches and canaries. The target is below 15%.</summary>
    public double Overhead => Ratio(ExtraReplicas + Relaunches + CanaryExecutions + AuditExecutions, Jobs);

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
        Audits = Audits + o.Audits,
        AuditExecutions = AuditExecutions + o.AuditExecutions,
        FraudRevokedVerified = FraudRevokedVerified + o.FraudRevokedVerified,
        FaultsRevoked = FaultsRevoked + o.FaultsRevoked,
        RightResultsRevoked = RightResultsRevoked + o.RightResultsRevoked,
    };

    private static double Ratio(int count, int of) => of == 0 ? 0 : (double)count / of;
}

/// <summary>Who was caught: canary failures and disagreements (outvoted results included, and also counted apart),
/// and who is below the match floor at the end, by kind.</summary>
public sealed record Census(
    IReadOnlyDictionary<ProviderKind, int> Providers,
    IReadOnlyDictionary<ProviderKind, int> ExcludedAtEnd,
    IReadOnlyDictionary<ProviderKind, int> CanaryFailures,
    IReadOnlyDictionary<ProviderKind, int> Disagreements,
    IReadOnlyDictionary<ProviderKind, int> Outvoted);

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
            var audits = p.AuditExecutions > 0 ? $" + {Share(p.AuditExecutions, p.Jobs)}" : "";
            var overhead = Invariant($"{p.Overhead:P1} ({Share(p.ExtraReplicas, p.Jobs)} + {Share(p.Relaunches, p.Jobs)} + {Share(p.CanaryExecutions, p.Jobs)}{audits})");
            text.AppendLine(Invariant($"| {name} | {p.Jobs:N0} | {p.FraudAcceptedVerified} / {p.VerifiedJobs:N0} = {p.VerifiedAcceptance:0.0e+0} | {p.FraudAcceptedUnverified} / {p.UnverifiedJobs:N0} = {p.UnverifiedAcceptance:0.0e+0} | {p.FaultsAccepted} | {p.FailedJobs} / {p.UnplacedJobs} | {overhead} |"));
        }
        if (All.Audits > 0)
            text.AppendLine().AppendLine(Invariant(
                $"Audits: {All.Audits} results re-verified; revoked {All.FraudRevokedVerified} cheaters' wrong results, {All.FaultsRevoked} honest faults, {All.RightResultsRevoked} right results; wrong results standing per verified job {All.VerifiedStanding:0.0e+0}."));
        text.AppendLine();
        text.AppendLine("| kind | providers | excluded at end | canary failures | disagreements (of them outvoted) |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var kind in Enum.GetValues<ProviderKind>())
            text.AppendLine(Invariant($"| {kind} | {Census.Providers[kind]} | {Census.ExcludedAtEnd[kind]} | {Census.CanaryFailures[kind]} | {Census.Disagreements[kind]} ({Census.Outvoted[kind]}) |"));
        return text.ToString();
    }

    /// <summary>The header of a sweep table: one <see cref="SweepRow"/> per setup.</summary>
    public static string SweepHeader(string setting) =>
        $"| {setting} | wrong accepted / verified job (all; steady) | wrong accepted / unverified job (all) | verified jobs replicated (steady) | overhead (steady) |\n|---|---:|---:|---:|---:|";

    /// <summary>The header of a mechanism table: one <see cref="MechanismRow"/> per setup.</summary>
    public static string MechanismHeader(string setting) =>
        $"| {setting} | wrong accepted / verified job (all; steady) | of them revoked by audits | standing / verified job (all; steady) | verified jobs replicated (steady) | overhead (steady) |\n|---|---:|---:|---:|---:|---:|";

    public string MechanismRow(string value) => Invariant(
        $"| {value} | {All.FraudAcceptedVerified} = {All.VerifiedAcceptance:0.0e+0}; {Steady.FraudAcceptedVerified} = {Steady.VerifiedAcceptance:0.0e+0} | {All.FraudRevokedVerified} | {All.VerifiedStanding:0.0e+0}; {Steady.VerifiedStanding:0.0e+0} | {Steady.ReplicatedShare:P1} | {Steady.Overhead:P1} |");

    public string SweepRow(string value) => Invariant(
        $"| {value} | {All.FraudAcceptedVerified} = {All.VerifiedAcceptance:0.0e+0}; {Steady.FraudAcceptedVerified} = {Steady.VerifiedAcceptance:0.0e+0} | {All.FraudAcceptedUnverified} = {All.UnverifiedAcceptance:0.0e+0} | {Steady.ReplicatedShare:P1} | {Steady.Overhead:P1} |");

    private static string Share(int count, int of) => Invariant($"{(of == 0 ? 0 : (double)count / of):P1}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
