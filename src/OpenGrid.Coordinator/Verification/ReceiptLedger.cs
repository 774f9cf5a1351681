using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// Accepts the signed receipt that comes with each <c>job_finished</c>: signed by the provider that held the attempt,
/// for that job, attempt and epoch, over the provider view of the job's spec it was sent (<see cref="ProviderSpec"/>), hashing exactly the job's inputs and the reported outputs,
/// and extending the provider's hash chain by one (<see cref="ReceiptCheck"/>). An accepted receipt becomes the
/// provider's chain head even when its report turns out stale — it is still a true statement the provider signed.
/// A redelivered receipt is recognised and accepted again without a second entry.
/// </summary>
public sealed partial class ReceiptLedger(IReceiptStore store, Settlement.SettlementChain chain, IOptions<Chain.ChainOptions> chainOptions,
    IOptions<CoordinatorOptions> options, TimeProvider time, ILogger<ReceiptLedger> log)
{
    // With payments on: the settlement chain and its deployed ReceiptVerifier, so a receipt verifies on chain; else the
    // offline domain, so receipts of a grid without payments can never pass on chain.
    private readonly ReceiptDomain _domain = chain.Enabled
        ? new ReceiptDomain(chainOptions.Value.ChainId, Address.Parse(chainOptions.Value.ReceiptVerifierAddress!))
        : ReceiptDomain.Offline;

    public ReceiptDomain Domain => _domain;

    /// <summary>The provider's chain head as the coordinator knows it (zero when it has no receipt yet).</summary>
    public async Task<Bytes32> HeadAsync(Address provider, CancellationToken ct) =>
        await store.HeadAsync(provider, ct) is { } head && Bytes32.TryParse(head, out var parsed) ? parsed : Bytes32.Zero;

    /// <summary>Null when the report's receipt is accepted (or not required and absent), else why it is refused.</summary>
    public async Task<Rejection?> AcceptAsync(Address provider, Job job, Attempt attempt, JobFinished m, CancellationToken ct)
    {
        if (m.Receipt is null)
        {
            return options.Value.Trust.RequireReceipts
                ? new Rejection(ErrorCodes.ReceiptBadSignature, "the report carries no signed receipt; upgrade the provider agent")
                : null;
        }
        if (m.Receipt.ToReceipt(out var malformed) is not { } receipt)
            return new Rejection(ErrorCodes.ReceiptBadSignature, $"the receipt is malformed: {malformed}");
        if (!ReceiptSigning.TryParseSignature(m.Signature, out var signature))
            return new Rejection(ErrorCodes.ReceiptBadSignature, "the receipt signature is not 0x and 130 hex digits (65 bytes)");
        var hash = ReceiptSigning.Hash(receipt);
        if (await store.FindAsync(job.Id, m.Epoch, ct) is { } stored)
        {
            return stored.Hash == hash.ToString()
                ? null
                : new Rejection(ErrorCodes.ReceiptReplayed, $"another receipt ({stored.Hash}) was already accepted for this attempt");
        }
        var head = await HeadAsync(provider, ct);
        if (ReceiptCheck.Validate(receipt, signature, job.Id.ToString(), attempt.Number, m.Epoch, ProviderSpec.Hash(job.Spec),
                provider, head, _domain) is { } refused)
            return refused;
        if (ReceiptEncoding.InputsHash(job.Inputs.Select(i => new ReceiptInput(i.Path, i.Cid))) != receipt.InputsHash)
            return new Rejection(ErrorCodes.ReceiptWrongSpec, "the receipt's inputsHash is not the hash of the job's inputs");
        var outputs = new List<ReceiptOutput>();
        foreach (var o in m.Outputs)
        {
            if (!Cid.TryParse(o.Cid, out var cid))
                return new Rejection(ErrorCodes.ReceiptBadSignature, $"output '{o.Path}' has an invalid CID '{o.Cid}'");
            outputs.Add(new ReceiptOutput(o.Path, cid, o.Size));
        }
        if (ReceiptEncoding.OutputsHash(outputs) != receipt.OutputsHash)
            return new Rejection(ErrorCodes.ReceiptBadSignature, "the receipt's outputsHash is not the hash of the reported outputs");

        var record = new StoredReceipt(job.Id, attempt.Number, m.Epoch, provider, hash.ToString(), receipt.PrevReceiptHash.ToString(),
            JsonSerializer.Serialize(m.Receipt, OpenGridJsonContext.Default.ReceiptView), ReceiptSigning.FormatSignature(signature),
            JsonSerializer.Serialize(job.Inputs.Select(i => new InputView(i.Path, i.Cid.ToString())).ToList(), OpenGridJsonContext.Default.IReadOnlyListInputView),
            JsonSerializer.Serialize(m.Outputs, OpenGridJsonContext.Default.IReadOnlyListOutputFileView),
            time.GetUtcNow());
        if (!await store.AppendAsync(record, ct))
            return new Rejection(ErrorCodes.ReceiptChainBroken, "another receipt of this provider was accepted first; its chain moved on");
        LogAccepted(job.Id, attempt.Number, provider, hash.ToString());
        return null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Receipt of job {JobId} attempt {Attempt} from {ProviderId} accepted: {Hash}")]
    private partial void LogAccepted(JobId jobId, int attempt, Address providerId, string hash);
}
