using System.Globalization;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// Whether the verdict follows from the receipts. Only attempts whose every check passed and whose job exited 0
/// count, and each provider counts once. <c>accepted</c> needs at least one such receipt attesting exactly the
/// accepted outputs (equal outputsHash) and at least quorum providers agreeing: by equal outputsHash or named as
/// agreeing in the verdict (a tolerant comparator). <c>failed</c> is contradicted when quorum providers attest the
/// same outputs.
/// </summary>
internal static class VerdictCheck
{
    private const string Name = "verdict";

    public static ProofCheck Run(ProofPack pack, IReadOnlyList<CheckedAttempt> attempts)
    {
        var quorum = pack.Verify?.Quorum ?? 0;
        var verdict = pack.Verdict;
        var good = attempts.Where(a => a is { Valid: true, Receipt.ExitCode: 0 }).ToList();
        return verdict?.Outcome switch
        {
            ProofVerdict.Accepted => Accepted(pack, verdict, good, attempts, quorum),
            ProofVerdict.Failed => Failed(good, quorum),
            _ => ProofCheck.Fail(Name, $"the outcome '{verdict?.Outcome}' is neither {ProofVerdict.Accepted} nor {ProofVerdict.Failed}"),
        };
    }

    private static ProofCheck Accepted(
        ProofPack pack, ProofVerdict verdict, List<CheckedAttempt> good, IReadOnlyList<CheckedAttempt> all, int quorum)
    {
        if (!AttemptChecks.TryParseOutputs(pack.Outputs ?? [], out var outputs, out var problem)
            || !AttemptChecks.TryHash(() => ReceiptEncoding.OutputsHash(outputs), out var accepted, out problem))
            return ProofCheck.Fail(Name, $"the accepted outputs are malformed: {problem}");

        var agreeing = verdict.AgreeingAttempts ?? [];
        var unknown = agreeing.Where(n => !good.Any(a => a.Attempt == n)).ToList();
        if (unknown.Count > 0)
            return ProofCheck.Fail(Name,
                $"the verdict counts attempt(s) {Join(unknown)} as agreeing, but the pack has no valid receipt with exit code 0 for them");

        var exact = good.Where(a => a.Receipt!.OutputsHash == accepted).ToList();
        if (exact.Count == 0)
            return ProofCheck.Fail(Name, "no valid receipt attests exactly the accepted outputs");
        var supporters = good.Where(a => a.Receipt!.OutputsHash == accepted || agreeing.Contains(a.Attempt)).ToList();
        var providers = supporters.Select(a => a.Receipt!.Provider).Distinct().Count();
        var summary = $"accepted by {providers} provider(s) of {all.Count} attempt(s), quorum {quorum}: attempt(s) {Join(supporters.Select(a => a.Attempt))}";
        return providers >= quorum && quorum > 0
            ? ProofCheck.Pass(Name, summary)
            : ProofCheck.Fail(Name, $"only {providers} provider(s) agree on the accepted outputs, quorum is {quorum}");
    }

    private static ProofCheck Failed(List<CheckedAttempt> good, int quorum)
    {
        var largest = good.GroupBy(a => a.Receipt!.OutputsHash)
            .Select(g => g.Select(a => a.Receipt!.Provider).Distinct().Count())
            .DefaultIfEmpty(0).Max();
        return quorum > 0 && largest >= quorum
            ? ProofCheck.Fail(Name, $"the verdict is failed, yet {largest} provider(s) attest the same outputs with exit code 0 (quorum {quorum})")
            : ProofCheck.Pass(Name, $"failed: at most {largest} provider(s) agree, quorum {quorum}");
    }

    private static string Join(IEnumerable<int> numbers) =>
        string.Join(", ", numbers.Order().Select(n => n.ToString(CultureInfo.InvariantCulture)));
}
