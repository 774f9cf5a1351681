using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Provider.Jobs;

/// <summary>
/// The provider's side of the receipt hash chain: signs one receipt per finished attempt, each carrying the hash of
/// the one before, in the order they are sent. The head is kept in <c>$OPENGRID_HOME/receipt-head</c>; when the
/// coordinator says at connect that its last accepted receipt is another one (a receipt the agent signed but never
/// delivered, e.g. it crashed), the chain continues from the coordinator's, provided nothing is waiting to be sent.
/// </summary>
public sealed class ReceiptChain
{
    private readonly Identity _identity;
    private readonly string _headFile;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _sendOrder = new(1, 1);
    private Bytes32 _head;
    private ReceiptDomain _domain = ReceiptDomain.Offline;

    public ReceiptChain(Identity identity, string home)
    {
        _identity = identity;
        _headFile = Path.Combine(home, "receipt-head");
        _head = File.Exists(_headFile) && Bytes32.TryParse(File.ReadAllText(_headFile).Trim(), out var head) ? head : Bytes32.Zero;
    }

    public Bytes32 Head
    {
        get
        {
            lock (_lock)
                return _head;
        }
    }

    /// <summary>Takes the domain and chain head from the coordinator's welcome.</summary>
    public void Welcome(Welcome welcome, bool reportsPending)
    {
        lock (_lock)
        {
            if (welcome.Receipts is { } d && Core.Jobs.Address.TryParse(d.VerifyingContract, out var contract))
                _domain = new ReceiptDomain(d.ChainId, contract);
            if (!reportsPending && welcome.LastReceipt is { } last && Bytes32.TryParse(last, out var accepted) && accepted != _head)
                Advance(accepted);
        }
    }

    /// <summary>
    /// Signs the receipt of a finished attempt and hands it to <paramref name="send"/> before any other receipt is
    /// signed, so receipts leave in chain order however many attempts finish at once. (Signing, then sending, from
    /// several attempts at a time let a later receipt overtake the one it links to: the coordinator refused it as a
    /// broken chain, and every receipt after it.)
    /// </summary>
    public async Task SignAndSendAsync(Assign lease, JobSpec spec, int? exitCode, UsageView usage, IReadOnlyList<OutputFileView> outputs,
        Func<ReceiptView, string, ValueTask> send)
    {
        await _sendOrder.WaitAsync();
        try
        {
            var (receipt, signature) = Sign(lease, spec, exitCode, usage, outputs);
            await send(receipt, signature);
        }
        finally
        {
            _sendOrder.Release();
        }
    }

    /// <summary>Signs the receipt of a finished attempt and makes it the chain's head; returns it with its signature.</summary>
    public (ReceiptView Receipt, string Signature) Sign(Assign lease, JobSpec spec, int? exitCode, UsageView usage, IReadOnlyList<OutputFileView> outputs)
    {
        lock (_lock)
        {
            var receipt = ReceiptFactory.Create(
                lease.JobId, lease.Attempt, lease.Epoch, lease.Spec, spec,
                // An input with a malformed CID never ran; the receipt lists the inputs it could have.
                lease.Inputs.Where(i => Cid.TryParse(i.Cid, out _)).Select(i => new ReceiptInput(i.Path, Cid.Parse(i.Cid))),
                outputs.Select(o => new ReceiptOutput(o.Path, Cid.Parse(o.Cid), o.Size)),
                new ReceiptUsage((long)(usage.WallSeconds * 1000), (long)(usage.CpuSeconds * 1000), 0, usage.PeakMemoryBytes),
                exitCode, DateTimeOffset.UtcNow, _identity.Address, _head);
            var signature = ReceiptSigning.Sign(receipt, _domain, _identity);
            Advance(ReceiptSigning.Hash(receipt));
            return (ReceiptView.From(receipt), ReceiptSigning.FormatSignature(signature));
        }
    }

    private void Advance(Bytes32 head)
    {
        _head = head;
        var temp = _headFile + ".tmp";
        File.WriteAllText(temp, head.ToString());
        File.Move(temp, _headFile, overwrite: true);
    }
}
