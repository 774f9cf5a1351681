using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpenGrid.Chain.Tests.Invariants;

namespace OpenGrid.Chain.Tests;

/// <summary>
/// Money invariants over random sequences of deposit / open (under a job budget, a rate limit, or another requester's
/// signature) / release (streaming and milestone) / close / withdraw / bond / unbond / slash, run on the contracts
/// in-process and on an independent model. Each step must succeed or revert exactly as the model says, then every
/// invariant is checked (including: a job's leases never hold more than its authorization's maxTotal). Kept to 50 sequences × (6 + 20) steps (≈10 s):
/// each step also reads ~20 balances back, and Nethereum.EVM runs about a thousand executions a second.
/// </summary>
public class EscrowInvariantProperties
{
    private const int Sequences = 50;
    private const int Steps = 20;

    private static readonly long[] Rates = [1, 7, 1800, 3600, 22_500, 3_600_000];

    private static readonly Gen<Op> Step = Gen.Frequency(
        (4, from r in Gen.Choose(0, 1) from amount in Gen.Frequency((1, Gen.Constant(0)), (9, Gen.Choose(1, 5_000_000)))
            select (Op)new Deposit(r, amount)),
        (2, from r in Gen.Choose(0, 1) from pct in Gen.Elements(0, 25, 50, 100, 101) select (Op)new Withdraw(r, pct)),
        (4, from lease in Gen.Choose(0, 5) from r in Gen.Choose(0, 1) from p in Gen.Choose(0, 1)
            from rate in Gen.Elements(Rates) from cap in Gen.Frequency((9, Gen.Choose(1, 60)), (1, Gen.Choose(101, 120)))
            from job in Gen.Frequency((6, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)))
            select (Op)new Open(lease, r, p, rate, cap, job)),
        (8, from lease in Gen.Frequency((9, Gen.Choose(0, 3)), (1, Gen.Constant(4)))
            from pct in Gen.Frequency((1, Gen.Constant(0)), (8, Gen.Choose(1, 40)), (1, Gen.Choose(101, 150)))
            from milestone in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
            select (Op)new Release(lease, pct, milestone)),
        (1, Gen.Frequency((9, Gen.Choose(0, 3)), (1, Gen.Constant(4))).Select(lease => (Op)new Close(lease))),
        (2, Gen.Choose(0, 2).Select(a => (Op)new WithdrawEarnings(a))),
        (1, from p in Gen.Choose(0, 1) from kind in Gen.Choose(0, 2) select (Op)new Bond(p, kind)),
        (1, from p in Gen.Choose(0, 1) from pct in Gen.Elements(0, 30, 100, 101) select (Op)new RequestUnbond(p, pct)),
        (1, Gen.Choose(0, 1).Select(p => (Op)new WithdrawUnbonded(p))),
        (1, from p in Gen.Choose(0, 1) from pct in Gen.Elements(0, 10, 50, 100, 101) from h in Gen.Choose(-1, 2)
            select (Op)new Slash(p, pct, h)),
        (1, Gen.Choose(0, 2).Select(a => (Op)new WithdrawCompensation(a))));

    // Both requesters deposit, both providers bond and two leases open first, so most later steps have something to act on.
    private static readonly Gen<Op[]> Prelude =
        from d0 in Gen.Choose(1, 5_000_000) from d1 in Gen.Choose(1, 5_000_000) from b0 in Gen.Choose(1, 2) from b1 in Gen.Choose(1, 2)
        from r0 in Gen.Elements(Rates) from r1 in Gen.Elements(Rates) from c0 in Gen.Choose(10, 60) from c1 in Gen.Choose(10, 60)
        select new Op[] { new Deposit(0, d0), new Deposit(1, d1), new Bond(0, b0), new Bond(1, b1), new Open(0, 0, 0, r0, c0), new Open(1, 1, 1, r1, c1) };

    private static Arbitrary<Op[]> Scenarios =>
        (from prelude in Prelude from steps in Gen.ArrayOf(Step, Steps) select prelude.Concat(steps).ToArray()).ToArbitrary();

    [Property(MaxTest = Sequences)]
    public Property Money_is_conserved_and_fees_are_exact_over_random_sequences() =>
        Prop.ForAll(Scenarios, async ops =>
        {
            var run = await InvariantRun.StartAsync();
            foreach (var op in ops)
                await run.ApplyAsync(op);
        });
}
