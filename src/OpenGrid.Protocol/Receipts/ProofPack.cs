using OpenGrid.Protocol.Api;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// Everything needed to check a job offline (<c>og verify</c>), as <c>og get --proof</c> writes it to
/// <c>proof.json</c>: the spec, every attempt's signed receipt with the lists its hashes cover, the verdict, the
/// accepted outputs and the settlement transactions. Format: docs/receipts.md.
/// </summary>
/// <param name="Version">Format version, <see cref="CurrentVersion"/>.</param>
/// <param name="JobId">The job id.</param>
/// <param name="Spec">The requester's spec text exactly as the coordinator stores it.</param>
/// <param name="Verify">The verify policy the verdict applied.</param>
/// <param name="Domain">The EIP-712 domain the receipts are signed in.</param>
/// <param name="Attempts">Every attempt that produced a receipt.</param>
/// <param name="Verdict">The coordinator's verdict over the attempts.</param>
/// <param name="Outputs">The accepted outputs (empty when the verdict is failed).</param>
/// <param name="Settlements">The settlement transactions; null or empty when payments are off.</param>
/// <param name="Replicas">The job ids of the job's replicas (verification group), whose receipts the pack also holds.</param>
/// <param name="ProviderSpec">The spec as providers received and signed it (<see cref="Specs.ProviderSpec"/>); null in
/// packs written before providers got a provider view, whose receipts hash <paramref name="Spec"/> itself.</param>
public sealed record ProofPack(
    int Version,
    string JobId,
    string Spec,
    VerifyPolicyView Verify,
    ReceiptDomainView Domain,
    IReadOnlyList<ProofAttempt> Attempts,
    ProofVerdict Verdict,
    IReadOnlyList<OutputFileView> Outputs,
    IReadOnlyList<SettlementTxView>? Settlements = null,
    IReadOnlyList<string>? Replicas = null,
    string? ProviderSpec = null)
{
    public const int CurrentVersion = 1;

    /// <summary>The file name of the pack in an <c>og get --proof</c> folder; the outputs lie beside it by path.</summary>
    public const string FileName = "proof.json";
}

/// <summary>A verify policy: how many replicas ran and how many had to agree.</summary>
public sealed record VerifyPolicyView(int Replicas, int Quorum);

/// <summary>An EIP-712 domain on the wire; <c>verifyingContract</c> is 0x-hex (all zeros with payments off).</summary>
public sealed record ReceiptDomainView(string Name, string Version, long ChainId, string VerifyingContract)
{
    public static ReceiptDomainView From(ReceiptDomain domain) =>
        new(ReceiptDomain.Name, ReceiptDomain.Version, domain.ChainId, domain.VerifyingContract.Value);
}

/// <summary>One attempt: its receipt, the provider's signature (0x-hex, 65 bytes) and the lists the receipt hashes.</summary>
public sealed record ProofAttempt(
    ReceiptView Receipt,
    string Signature,
    IReadOnlyList<InputView> Inputs,
    IReadOnlyList<OutputFileView> Outputs);

/// <summary>
/// The coordinator's verdict: <see cref="Accepted"/> or <see cref="Failed"/>, the attempts (by their 1-based position
/// in the pack) whose outputs it judged to agree with the accepted ones (by its comparators), and the comparators'
/// details as sentences.
/// </summary>
public sealed record ProofVerdict(string Outcome, IReadOnlyList<int> AgreeingAttempts, IReadOnlyList<string> Details)
{
    public const string Accepted = "accepted";
    public const string Failed = "failed";
}

/// <summary>A settlement transaction: its hash, kind (<c>open</c>, <c>release</c>, <c>close</c>), the amount in token
/// base units as a decimal string, and the attempt it settles when it is one attempt's.</summary>
public sealed record SettlementTxView(string TxHash, string Kind, string Amount, int? Attempt = null)
{
    public static readonly IReadOnlyList<string> Kinds = ["open", "release", "close"];
}
