using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Protocol.Receipts;

/// <summary>One attempt of a pack after its checks: its receipt when it parsed, and whether every check passed.</summary>
internal sealed record CheckedAttempt(int Attempt, Receipt? Receipt, bool SignatureOk, bool Valid);

/// <summary>
/// The per-attempt checks of a proof pack: the receipt parses and is the provider's signature, it names this job, the
/// spec text's hash and the spec runtime's digest, and the input and output lists beside it hash to its fields.
/// </summary>
internal static class AttemptChecks
{
    /// <param name="number">The attempt's position in the pack (1-based): how the verdict and the checks name it.</param>
    public static CheckedAttempt Run(ProofPack pack, ProofAttempt attempt, int number, JobSpec? spec, ReceiptDomain domain, List<ProofCheck> checks)
    {
        var label = $"attempt {number}";
        string? error = null;
        var receipt = attempt.Receipt is null ? null : attempt.Receipt.ToReceipt(out error);
        if (receipt is null)
        {
            checks.Add(ProofCheck.Fail($"{label} signature", $"the receipt is malformed: {error ?? "missing"}"));
            return new(number, null, false, false);
        }

        var signatureOk = Signature(receipt, attempt.Signature, domain, label, checks);
        var ok = signatureOk;
        var replica = pack.Replicas?.Contains(receipt.JobId) == true;
        ok &= Add(checks, $"{label} job", receipt.JobId == pack.JobId || replica,
            $"for {(replica ? "replica job" : "job")} {receipt.JobId} attempt {receipt.Attempt}, epoch {receipt.Epoch}, exit code {receipt.ExitCode}",
            $"the receipt is for job {receipt.JobId}, the pack for job {pack.JobId}{(pack.Replicas is { Count: > 0 } ? " and its replicas" : "")}");
        // Providers sign the provider view they received (checked against the spec by the "provider spec" check);
        // packs from before the provider view have receipts over the spec text itself.
        var (signed, what) = pack.ProviderSpec is { } providerSpec ? (providerSpec, "provider spec") : (pack.Spec ?? "", "spec text");
        ok &= Add(checks, $"{label} spec hash", receipt.SpecHash == ReceiptEncoding.SpecHash(signed),
            $"matches the {what}", $"{receipt.SpecHash} is not the hash of the pack's {what}");
        if (spec is not null)
        {
            var digest = ReceiptEncoding.RuntimeDigest(spec.Runtime);
            ok &= Add(checks, $"{label} runtime", receipt.RuntimeDigest == digest,
                $"{ReceiptEncoding.ProcessKind}: {string.Join(' ', spec.Runtime.Argv)}",
                $"{receipt.RuntimeDigest} is not the digest of the spec's runtime ({digest})");
        }
        ok &= Inputs(attempt.Inputs ?? [], receipt, spec, label, checks);
        ok &= Outputs(attempt.Outputs ?? [], receipt, label, checks);
        return new(number, receipt, signatureOk, ok);
    }

    private static bool Signature(Receipt receipt, string? signatureHex, ReceiptDomain domain, string label, List<ProofCheck> checks)
    {
        if (!ReceiptSigning.TryParseSignature(signatureHex, out var signature))
            return Add(checks, $"{label} signature", false, "", $"the signature '{signatureHex}' is not 0x and 130 hex digits (65 bytes)");
        var signer = ReceiptSigning.RecoverSigner(receipt, domain, signature);
        return Add(checks, $"{label} signature", signer == receipt.Provider,
            $"signed by provider {receipt.Provider}",
            signer is null
                ? "the signature is malformed (65 bytes r‖s‖v, v 27 or 28, low s)"
                : $"signed by {signer}, not by the receipt's provider {receipt.Provider}: the receipt or signature was changed");
    }

    private static bool Inputs(IReadOnlyList<InputView> listed, Receipt receipt, JobSpec? spec, string label, List<ProofCheck> checks)
    {
        var inputs = new List<ReceiptInput>();
        foreach (var input in listed)
        {
            if (!Cid.TryParse(input.Cid, out var cid))
                return Add(checks, $"{label} inputs", false, "", $"input {input.Path} has an invalid CID '{input.Cid}'");
            inputs.Add(new(input.Path, cid));
        }
        if (!TryHash(() => ReceiptEncoding.InputsHash(inputs), out var hash, out var problem) || hash != receipt.InputsHash)
            return Add(checks, $"{label} inputs", false, "", problem ?? "the listed inputs do not hash to the receipt's inputsHash");
        if (spec is not null)
        {
            var declared = spec.Inputs.ToDictionary(i => i.Path, i => i.Cid, StringComparer.Ordinal);
            var paths = inputs.Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
            if (!paths.SetEquals(declared.Keys))
                return Add(checks, $"{label} inputs", false, "",
                    $"the inputs are [{string.Join(", ", paths.Order(StringComparer.Ordinal))}], the spec declares [{string.Join(", ", declared.Keys.Order(StringComparer.Ordinal))}]");
            var wrong = inputs.FirstOrDefault(i => declared[i.Path] is { } want && want != i.Cid);
            if (wrong.Path is not null)
                return Add(checks, $"{label} inputs", false, "", $"input {wrong.Path} is {wrong.Cid}, the spec names {declared[wrong.Path]}");
        }
        return Add(checks, $"{label} inputs", true, $"{inputs.Count} input(s) match inputsHash", "");
    }

    private static bool Outputs(IReadOnlyList<OutputFileView> listed, Receipt receipt, string label, List<ProofCheck> checks)
    {
        if (!TryParseOutputs(listed, out var outputs, out var problem)
            || !TryHash(() => ReceiptEncoding.OutputsHash(outputs), out var hash, out problem) || hash != receipt.OutputsHash)
            return Add(checks, $"{label} outputs", false, "", problem ?? "the listed outputs do not hash to the receipt's outputsHash");
        return Add(checks, $"{label} outputs", true, $"{outputs.Count} output(s) match outputsHash", "");
    }

    /// <summary>Output views as receipt outputs; false with a sentence for an invalid CID or a negative size.</summary>
    public static bool TryParseOutputs(IReadOnlyList<OutputFileView> listed, out List<ReceiptOutput> outputs, out string? problem)
    {
        outputs = [];
        problem = null;
        foreach (var output in listed)
        {
            if (!Cid.TryParse(output.Cid, out var cid))
                problem = $"output {output.Path} has an invalid CID '{output.Cid}'";
            else if (output.Size < 0)
                problem = $"output {output.Path} has a negative size";
            if (problem is not null)
                return false;
            outputs.Add(new(output.Path, cid, output.Size));
        }
        return true;
    }

    /// <summary>Runs a list hash, turning a repeated path (the encoding refuses it) into a sentence.</summary>
    public static bool TryHash(Func<Bytes32> hash, out Bytes32 value, out string? problem)
    {
        try
        {
            value = hash();
            problem = null;
            return true;
        }
        catch (ArgumentException e)
        {
            value = default;
            problem = e.Message;
            return false;
        }
    }

    private static bool Add(List<ProofCheck> checks, string check, bool ok, string passDetail, string failDetail)
    {
        checks.Add(new(check, ok, ok ? passDetail : failDetail));
        return ok;
    }
}
