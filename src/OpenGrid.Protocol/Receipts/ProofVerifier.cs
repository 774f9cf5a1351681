using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// Checks a job offline from its <see cref="ProofPack"/> and the downloaded outputs, trusting neither the coordinator
/// nor the providers: the pack itself (format, domain, spec, policy), every attempt (<see cref="AttemptChecks"/>),
/// each provider's chain links (<see cref="ChainLinkChecks"/>), the output files (<see cref="OutputFileChecks"/>),
/// the verdict (<see cref="VerdictCheck"/>) and the settlement transactions (<see cref="SettlementChecks"/>).
/// </summary>
public static class ProofVerifier
{
    /// <summary>Every check in order; the job is verified when all are <see cref="ProofCheck.Ok"/>.</summary>
    /// <param name="pack">The proof pack, as read from proof.json.</param>
    /// <param name="outputsDir">The folder holding the accepted outputs laid out by path.</param>
    /// <param name="ct">Cancels hashing the output files.</param>
    public static async Task<IReadOnlyList<ProofCheck>> VerifyAsync(ProofPack pack, string outputsDir, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(outputsDir);
        var checks = new List<ProofCheck>();
        PackCheck(pack, checks);
        var domain = DomainCheck(pack.Domain, checks);
        var spec = SpecCheck(pack, checks);

        var attempts = new List<CheckedAttempt>();
        if (domain is { } d)
            attempts.AddRange((pack.Attempts ?? []).Select((a, i) => AttemptChecks.Run(pack, a, i + 1, spec, d, checks)));
        ChainLinkChecks.Run(attempts, checks);
        await OutputFileChecks.RunAsync(pack.Outputs ?? [], outputsDir, checks, ct).ConfigureAwait(false);
        checks.Add(VerdictCheck.Run(pack, attempts));
        SettlementChecks.Run(pack, checks);
        return checks;
    }

    private static void PackCheck(ProofPack pack, List<ProofCheck> checks)
    {
        // An attempt is a job's (the job's or one of its replicas') attempt number.
        var numbers = (pack.Attempts ?? []).Select(a => (a.Receipt?.JobId, a.Receipt?.Attempt ?? 0)).ToList();
        string? problem = null;
        if (pack.Version != ProofPack.CurrentVersion)
            problem = $"format version {pack.Version}; this og reads version {ProofPack.CurrentVersion}";
        else if (string.IsNullOrEmpty(pack.JobId))
            problem = "the pack names no job";
        else if (numbers.Count != numbers.Distinct().Count())
            problem = "an attempt appears twice";
        checks.Add(problem is null
            ? ProofCheck.Pass("pack", $"job {pack.JobId}, {numbers.Count} attempt(s)")
            : ProofCheck.Fail("pack", problem));
    }

    private static ReceiptDomain? DomainCheck(ReceiptDomainView? view, List<ProofCheck> checks)
    {
        if (view is null || view.Name != ReceiptDomain.Name || view.Version != ReceiptDomain.Version || view.ChainId < 0
            || !Address.TryParse(view.VerifyingContract, out var contract))
        {
            checks.Add(ProofCheck.Fail("domain",
                $"expected name {ReceiptDomain.Name}, version {ReceiptDomain.Version}, a chain id and a 0x contract address; receipts were not checked"));
            return null;
        }
        var domain = new ReceiptDomain(view.ChainId, contract);
        checks.Add(ProofCheck.Pass("domain", domain == ReceiptDomain.Offline
            ? "offline (payments off): chain id 0, no contract"
            : $"chain {domain.ChainId}, ReceiptVerifier {domain.VerifyingContract}"));
        return domain;
    }

    private static JobSpec? SpecCheck(ProofPack pack, List<ProofCheck> checks)
    {
        var parsed = JobSpecParser.Parse(pack.Spec ?? "", "spec");
        if (parsed.Spec is not { } spec)
        {
            checks.Add(ProofCheck.Fail("spec", $"the spec text does not parse: {parsed.Errors.FirstOrDefault()}"));
            return null;
        }
        checks.Add(ProofCheck.Pass("spec", $"{spec.Name}, keccak256 {ReceiptEncoding.SpecHash(pack.Spec!)}"));
        if (pack.ProviderSpec is { } providerSpec)
        {
            checks.Add(ProviderSpec.IsViewOf(providerSpec, spec)
                ? ProofCheck.Pass("provider spec", $"the spec as providers received it, keccak256 {ReceiptEncoding.SpecHash(providerSpec)}")
                : ProofCheck.Fail("provider spec", "the spec providers signed is not the provider view of the pack's spec (name, runtime, resources, limits, network differ)"));
        }
        var policy = pack.Verify;
        checks.Add(policy is not null && policy.Replicas == spec.Verify.Replicas && policy.Quorum == spec.Verify.Quorum
            ? ProofCheck.Pass("verify policy", $"{spec.Verify.Replicas} replica(s), quorum {spec.Verify.Quorum}")
            : ProofCheck.Fail("verify policy",
                $"the pack says {policy?.Replicas} replica(s), quorum {policy?.Quorum}; the spec says {spec.Verify.Replicas}, quorum {spec.Verify.Quorum}"));
        return spec;
    }
}
