using System.Numerics;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// Offline checks of the settlement transactions in a pack: a 32-byte transaction hash, a known kind, an amount in
/// base units (a non-negative integer without leading zeros), and, when it names one, an attempt that is in the pack.
/// Whether the transactions happened on chain is not checked here.
/// </summary>
internal static class SettlementChecks
{
    public static void Run(ProofPack pack, List<ProofCheck> checks)
    {
        var txs = pack.Settlements ?? [];
        if (txs.Count == 0)
        {
            checks.Add(ProofCheck.Pass("settlement", pack.Domain?.ChainId is 0 or null
                ? "no transactions: payments were off"
                : "no transactions listed"));
            return;
        }
        var attempts = (pack.Attempts ?? []).Select(a => a.Receipt?.Attempt).ToHashSet();
        foreach (var tx in txs)
            checks.Add(Check(tx, attempts));
    }

    private static ProofCheck Check(SettlementTxView tx, HashSet<int?> attempts)
    {
        var name = $"settlement {tx.Kind} {tx.TxHash}";
        if (!Bytes32.TryParse(tx.TxHash, out _))
            return ProofCheck.Fail(name, "the transaction hash is not 0x followed by 64 hex digits");
        if (!SettlementTxView.Kinds.Contains(tx.Kind))
            return ProofCheck.Fail(name, $"the kind is not one of {string.Join(", ", SettlementTxView.Kinds)}");
        if (string.IsNullOrEmpty(tx.Amount) || !tx.Amount.All(char.IsAsciiDigit) || (tx.Amount.Length > 1 && tx.Amount[0] == '0'))
            return ProofCheck.Fail(name, $"the amount '{tx.Amount}' is not an integer number of base units");
        if (tx.Attempt is { } attempt && !attempts.Contains(attempt))
            return ProofCheck.Fail(name, $"it names attempt {attempt}, which is not in the pack");
        var amount = BigInteger.Parse(tx.Amount, System.Globalization.CultureInfo.InvariantCulture);
        return ProofCheck.Pass(name, $"{amount} base units{(tx.Attempt is { } n ? $" for attempt {n}" : "")} (well-formed; not checked on chain)");
    }
}
