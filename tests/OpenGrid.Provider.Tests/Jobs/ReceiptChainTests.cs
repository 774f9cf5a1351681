using OpenGrid.Core;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;
using OpenGrid.Provider.Jobs;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Jobs;

public sealed class ReceiptChainTests
{
    private const string Spec = """
        apiVersion: opengrid/v1
        kind: Job
        name: chained
        runtime: { kind: process, command: ["true"] }
        """;

    [Fact]
    public async Task Receipts_of_attempts_finishing_at_once_are_sent_in_chain_order()
    {
        using var home = new TempDir("opengrid-receipt-chain");
        var identity = Identity.Generate();
        var chain = new ReceiptChain(identity, home.Path);
        var spec = JobSpecParser.Parse(Spec, "job.yaml").Spec!;
        var sent = new List<ReceiptView>();
        var sending = new Lock();

        // Sixty attempts end together; each send yields and takes a random while, as a real outbox under load may.
        await Task.WhenAll(Enumerable.Range(0, 60).Select(n => Task.Run(() => chain.SignAndSendAsync(
            new Assign($"{n:x32}", 1, n + 1, Spec, []), spec, 0, new UsageView(1, 1, 1), [],
            async (receipt, _) =>
            {
                await Task.Delay(Random.Shared.Next(0, 3));
                lock (sending)
                    sent.Add(receipt);
            }))));

        Assert.Equal(60, sent.Count);
        var previous = Bytes32.Zero;
        foreach (var view in sent)
        {
            var receipt = view.ToReceipt(out var malformed) ?? throw new InvalidOperationException(malformed);
            Assert.Equal(previous, receipt.PrevReceiptHash);
            previous = ReceiptSigning.Hash(receipt);
        }

        Assert.Equal(previous, chain.Head);
    }
}
