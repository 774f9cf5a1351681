namespace OpenGrid.Protocol.Receipts;

/// <summary>One line of a proof verification: what was checked, whether it held, and why (a sentence).</summary>
public sealed record ProofCheck(string Check, bool Ok, string Detail)
{
    public static ProofCheck Pass(string check, string detail) => new(check, true, detail);

    public static ProofCheck Fail(string check, string detail) => new(check, false, detail);
}

/// <summary>The result of <c>og verify</c> as <c>--json</c> prints it: every check and whether all passed.</summary>
public sealed record ProofReport(string JobId, bool Ok, IReadOnlyList<ProofCheck> Checks)
{
    public static ProofReport From(string jobId, IReadOnlyList<ProofCheck> checks) =>
        new(jobId, checks.All(c => c.Ok), checks);
}
