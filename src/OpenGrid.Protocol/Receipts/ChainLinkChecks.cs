namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// The hash chain between one provider's receipts inside a pack. A pack holds only this job's receipts, so two of a
/// provider's receipts may have others (other jobs') between them; what a pack can prove wrong is a receipt that
/// restarts the chain (zero link) after an earlier one, two receipts claiming the same predecessor (a fork), or a
/// receipt following one that is not before it. A receipt linked to the one before it is reported as linked.
/// </summary>
internal static class ChainLinkChecks
{
    public static void Run(IReadOnlyList<CheckedAttempt> attempts, List<ProofCheck> checks)
    {
        var byProvider = attempts
            .Where(a => a is { SignatureOk: true, Receipt: not null })
            .Select(a => (a.Attempt, Receipt: a.Receipt!))
            .GroupBy(a => a.Receipt.Provider)
            .Where(g => g.Count() > 1);
        foreach (var group in byProvider)
        {
            var ordered = group.OrderBy(a => a.Receipt.Timestamp).ThenBy(a => a.Attempt).ToList();
            var hashes = ordered.ToDictionary(a => a.Attempt, a => ReceiptSigning.Hash(a.Receipt));
            var notes = new List<string>();
            string? problem = null;
            for (var i = 1; i < ordered.Count && problem is null; i++)
                problem = Link(ordered[i - 1], ordered[i], hashes, notes);
            checks.Add(new($"chain {group.Key}", problem is null, problem ?? string.Join("; ", notes)));
        }
    }

    private static string? Link(
        (int Attempt, Receipt Receipt) before, (int Attempt, Receipt Receipt) after, Dictionary<int, Bytes32> hashes, List<string> notes)
    {
        var prev = after.Receipt.PrevReceiptHash;
        if (prev == hashes[before.Attempt])
        {
            notes.Add($"attempt {after.Attempt} follows attempt {before.Attempt}");
            return null;
        }
        if (prev.IsZero)
            return $"attempt {after.Attempt} restarts the chain (zero previous hash) after attempt {before.Attempt}";
        if (prev == before.Receipt.PrevReceiptHash)
            return $"attempts {before.Attempt} and {after.Attempt} both follow {prev}: the chain forks";
        var other = hashes.Where(h => h.Value == prev).Select(h => (int?)h.Key).FirstOrDefault();
        if (other is { } wrong)
            return $"attempt {after.Attempt} follows attempt {wrong}, which is not the receipt before it (attempt {before.Attempt})";
        notes.Add($"attempt {after.Attempt} is not consecutive with attempt {before.Attempt} (other receipts between)");
        return null;
    }
}
