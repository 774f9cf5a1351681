using System.Globalization;
using System.Text.Json;
using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// Builds a job's proof pack (<c>GET /v1/jobs/{id}/proof</c>, <c>og get --proof</c>): the spec, every receipt of the
/// job and of its replicas with the lists they hash, the verdict, the accepted outputs and the settlement
/// transactions — everything <c>og verify</c> needs to check the job offline (docs/receipts.md).
/// </summary>
public sealed class ProofPacks(IJobStore jobs, IReceiptStore receipts, ISettlementStore settlements, ReceiptLedger ledger)
{
    public async Task<ProofPack> BuildAsync(Job job, CancellationToken ct)
    {
        var group = job.PlannedReplicas > 1 ? await jobs.ListGroupAsync(job.Id, ct) : [job];
        var stored = await receipts.ListForJobsAsync(group.Select(m => m.Id).ToList(), ct);
        var attempts = stored.Select(s => new ProofAttempt(
            JsonSerializer.Deserialize(s.ReceiptJson, OpenGridJsonContext.Default.ReceiptView)!,
            s.Signature,
            JsonSerializer.Deserialize(s.InputsJson, OpenGridJsonContext.Default.IReadOnlyListInputView)!,
            JsonSerializer.Deserialize(s.OutputsJson, OpenGridJsonContext.Default.IReadOnlyListOutputFileView)!)).ToList();

        var agreeing = new List<int>();
        for (var i = 0; i < stored.Count; i++)
        {
            var member = group.First(m => m.Id == stored[i].Job);
            var attempt = member.Attempts.FirstOrDefault(a => a.Epoch == stored[i].Epoch);
            var counted = group.Count > 1 ? member.Verdict == "agreed" : attempt?.State == JobState.Succeeded;
            if (counted && attempt?.State is JobState.Succeeded)
                agreeing.Add(i + 1);
        }
        var applied = job.PlannedReplicas > 1 ? job.Spec.Verify : Core.Specs.VerifyPolicy.Single;
        var verdict = new ProofVerdict(
            job.State == JobState.Succeeded ? ProofVerdict.Accepted : ProofVerdict.Failed,
            job.State == JobState.Succeeded ? agreeing : [],
            job.Reason is { Length: > 0 } reason ? [reason] : []);

        var txs = new List<SettlementTxView>();
        foreach (var member in group)
        {
            // A lease's releases pay cumulative seconds (streaming pays several, in increasing seconds, as the contract
            // demands): each one's amount is its increase over the one before.
            var paidSeconds = new Dictionary<int, ulong>();
            foreach (var intent in await settlements.ListForJobAsync(member.Id, ct))
            {
                if (intent.TxHash is not { } hash || intent.State != IntentState.Done || intent.Action == SettlementAction.Slash)
                    continue;
                var amount = Core.TokenAmount.FromBaseUnits(0);
                if (intent.Action == SettlementAction.Open)
                    amount = intent.Cap;
                else if (intent.Action == SettlementAction.Release)
                {
                    var before = paidSeconds.GetValueOrDefault(intent.Attempt);
                    amount = Core.TokenAmount.FromBaseUnits(EscrowRules.PayFor(intent.RatePerHour, intent.Seconds).BaseUnits
                        - EscrowRules.PayFor(intent.RatePerHour, before).BaseUnits);
                    paidSeconds[intent.Attempt] = intent.Seconds;
                }

                txs.Add(new SettlementTxView(hash, intent.Action.ToString().ToLowerInvariant(),
                    amount.BaseUnits.ToString(CultureInfo.InvariantCulture), intent.Attempt));
            }
        }

        return new ProofPack(ProofPack.CurrentVersion, job.Id.ToString(), job.SpecText,
            new VerifyPolicyView(applied.Replicas, applied.Quorum), ReceiptDomainView.From(ledger.Domain), attempts, verdict,
            job.State == JobState.Succeeded ? job.Outputs.Select(o => new OutputFileView(o.Path, o.Cid.ToString(), o.Size)).ToList() : [],
            txs.Count > 0 ? txs : null,
            group.Count > 1 ? group.Skip(1).Select(m => m.Id.ToString()).ToList() : null,
            ProviderSpec.Of(job.Spec));
    }
}
