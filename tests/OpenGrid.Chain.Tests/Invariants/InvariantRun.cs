using System.Numerics;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Tests.Evm;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Chain.Tests.Invariants;

/// <summary>
/// Runs a scenario against the contracts and the <see cref="MoneyModel"/> side by side: each step must succeed or
/// revert exactly as the model says, emit the amounts the model computes, and leave every invariant holding.
/// </summary>
public sealed class InvariantRun
{
    private readonly EscrowWorld _w;
    private readonly MoneyModel _m = new();
    private readonly string[] _requesters;
    private readonly string[] _providers;
    private readonly string[] _earners;  // providers, then the treasury
    private readonly string[] _harmed;   // requesters, then the treasury
    private readonly JobAuthorization[][] _jobs; // per requester: budget, rate limit, signed by the other requester

    private InvariantRun(EscrowWorld w)
    {
        _w = w;
        _requesters = [w.Requester, w.Requester2];
        _jobs = [.. _requesters.Select((r, i) => new[]
        {
            w.Authorize(r, $"budget-{i}", MoneyModel.MaxRateOf(0), MoneyModel.MaxTotalOf(0)),
            w.Authorize(r, $"rate-{i}", MoneyModel.MaxRateOf(1), MoneyModel.MaxTotalOf(1)),
            w.Authorize(r, $"forged-{i}", long.MaxValue, long.MaxValue, signer: w.KeyOf(_requesters[1 - i])),
        })];
        _providers = [w.Provider, w.Provider2];
        _earners = [w.Provider, w.Provider2, w.Treasury];
        _harmed = [w.Requester, w.Requester2, w.Treasury];
    }

    public static async Task<InvariantRun> StartAsync() => new(await EscrowWorld.CreateAsync());

    public static EscrowLeaseId LeaseId(int lease) => EscrowLeaseId.FromKey($"lease-{lease}");

    public async Task ApplyAsync(Op op)
    {
        switch (op)
        {
            case Deposit d:
                await DepositAsync(d);
                break;
            case Withdraw x:
                await WithdrawAsync(x);
                break;
            case Open o:
                await OpenAsync(o);
                break;
            case Release r:
                await ReleaseAsync(r);
                break;
            case Close c:
                await CloseAsync(c);
                break;
            case WithdrawEarnings e:
                await WithdrawEarningsAsync(e);
                break;
            default:
                await new RegistrySteps(_w, _m, _providers, _harmed).ApplyAsync(op);
                break;
        }
        _m.AssertNoNegative();
        await CheckInvariantsAsync(op);
    }

    private async Task DepositAsync(Deposit d)
    {
        var who = _requesters[d.Requester];
        if (d.Amount > 0)
            await _w.MintAndApproveAsync(who, _w.Escrow, d.Amount);
        var tx = await Outcome(op: d, expected: d.Amount == 0 ? "ZeroAmount" : null,
            () => _w.Chain.SendAsync(who, _w.Escrow, new DepositFunction { Amount = d.Amount }));
        if (tx is null)
            return;
        _m.Available[d.Requester] += d.Amount;
        _m.Deposited[d.Requester] += d.Amount;
    }

    private async Task WithdrawAsync(Withdraw x)
    {
        var available = _m.Available[x.Requester];
        var amount = x.Percent > 100 ? available + 1 : available * x.Percent / 100;
        var expected = amount == 0 ? "ZeroAmount" : amount > available ? "InsufficientBalance" : null;
        var tx = await Outcome(x, expected,
            () => _w.Chain.SendAsync(_requesters[x.Requester], _w.Escrow, new WithdrawFunction { Amount = amount }));
        if (tx is null)
            return;
        _m.Available[x.Requester] -= amount;
        _m.Withdrawn[x.Requester] += amount;
    }

    private async Task OpenAsync(Open o)
    {
        var cap = Math.Max(1, _m.Available[o.Requester] * o.CapPercent / 100);
        var committed = _m.Committed.GetValueOrDefault((o.Requester, o.Job));
        var expected = _m.Leases.ContainsKey(o.Lease) ? "LeaseAlreadyExists"
            : o.Job == 2 ? "InvalidAuthorization"
            : o.RatePerHour > MoneyModel.MaxRateOf(o.Job) ? "RateAboveAuthorized"
            : (Int128)committed + cap > MoneyModel.MaxTotalOf(o.Job) ? "AuthorizationExceeded"
            : cap > _m.Available[o.Requester] ? "InsufficientBalance" : null;
        var tx = await Outcome(o, expected,
            () => _w.OpenAsync(LeaseId(o.Lease), o.RatePerHour, cap, _jobs[o.Requester][o.Job], _requesters[o.Requester], _providers[o.Provider]));
        if (tx is null)
            return;
        _m.Available[o.Requester] -= cap;
        _m.Locked[o.Requester] += cap;
        _m.Committed[(o.Requester, o.Job)] = committed + cap;
        _m.Leases[o.Lease] = new MoneyModel.Lease
        {
            Requester = o.Requester, Provider = o.Provider, RatePerHour = o.RatePerHour, Cap = cap, Job = o.Job,
        };
    }

    /// <summary>Slots 0–2 pick an open lease, 3 any lease ever opened (also completed or closed), 4 one never opened.</summary>
    private int Resolve(int slot)
    {
        var opened = _m.Leases.Where(l => slot == 3 || l.Value.Status == 1).Select(l => l.Key).Order().ToList();
        if (opened.Count == 0)
            opened = _m.Leases.Keys.Order().ToList();
        return slot < 4 && opened.Count > 0 ? opened[slot % opened.Count] : 100 + slot;
    }

    private async Task ReleaseAsync(Release step)
    {
        var r = step with { Lease = Resolve(step.Lease) };
        _m.Leases.TryGetValue(r.Lease, out var l);
        ulong seconds = l is null ? (ulong)r.Percent : l.PaidSeconds + (MoneyModel.SecondsToCap(l) - Math.Min(l.PaidSeconds, MoneyModel.SecondsToCap(l))) * (ulong)r.Percent / 100;
        var due = l is null ? 0 : MoneyModel.PayFor(l.RatePerHour, seconds);
        var expected = l is null || l.Status != 1 ? "LeaseNotOpen"
            : seconds <= l.PaidSeconds ? "SecondsNotIncreasing"
            : due > l.Cap ? "CapExceeded" : null;
        var id = LeaseId(r.Lease);
        var tx = await Outcome(r, expected, () => r.Milestone ? _w.MilestoneAsync(id, seconds) : _w.StreamAsync(id, seconds));
        if (tx is null || l is null)
            return;

        var amount = due - l.Released;
        var fee = MoneyModel.Fee(due) - MoneyModel.Fee(l.Released);
        var released = tx.Event<ReleasedEvent>();
        Assert.Equal((new BigInteger(amount), new BigInteger(fee), r.Milestone), (released.Amount, released.Fee, released.Milestone));
        Assert.True(fee * 100 <= amount + 99 && fee <= amount, $"fee {fee} is not 1% of {amount} within one unit");

        l.Released = due;
        l.PaidSeconds = seconds;
        l.Fees += fee;
        if (r.Milestone)
            l.Status = 2;
        _m.Locked[l.Requester] -= amount;
        _m.ReleasedFrom[l.Requester] += amount;
        _m.Earnings[l.Provider] += amount - fee;
        _m.Earnings[2] += fee;
        _m.FeesTotal += fee;
    }

    private async Task CloseAsync(Close step)
    {
        var c = step with { Lease = Resolve(step.Lease) };
        _m.Leases.TryGetValue(c.Lease, out var l);
        var expected = l is null || l.Status == 3 ? "LeaseNotOpen" : null;
        var tx = await Outcome(c, expected, () => _w.CloseAsync(LeaseId(c.Lease)));
        if (tx is null || l is null)
            return;
        var refund = l.Cap - l.Released;
        Assert.Equal(new BigInteger(refund), tx.Event<LeaseClosedEvent>().Refund);
        l.Status = 3;
        l.Refunded = refund;
        _m.Committed[(l.Requester, l.Job)] -= refund;
        _m.Locked[l.Requester] -= refund;
        _m.Available[l.Requester] += refund;
    }

    private async Task WithdrawEarningsAsync(WithdrawEarnings e)
    {
        var amount = _m.Earnings[e.Account];
        var tx = await Outcome(e, amount == 0 ? "NothingToWithdraw" : null,
            () => _w.Chain.SendAsync(_earners[e.Account], _w.Escrow, new WithdrawEarningsFunction()));
        if (tx is null)
            return;
        _m.Earnings[e.Account] = 0;
        _m.EarningsWithdrawn[e.Account] += amount;
    }

    private async Task CheckInvariantsAsync(Op after)
    {
        var why = $"after {after}";
        BigInteger held = 0;
        for (var r = 0; r < 2; r++)
        {
            var available = await _w.AvailableAsync(_requesters[r]);
            var locked = await _w.LockedAsync(_requesters[r]);
            Assert.True(available == _m.Available[r] && locked == _m.Locked[r], $"requester {r} balances differ from the model {why}");
            // deposited = available + locked + released + withdrawn, per requester (refunds flow back into available).
            Assert.True(_m.Deposited[r] - _m.Withdrawn[r] == available + locked + _m.ReleasedFrom[r], $"requester {r} money not conserved {why}");
            held += available + locked;
        }
        for (var a = 0; a < 3; a++)
        {
            var earnings = await _w.EarningsAsync(_earners[a]);
            Assert.True(earnings == _m.Earnings[a], $"earnings of {a} differ from the model {why}");
            held += earnings;
        }
        Assert.True(held == await _w.TokenBalanceAsync(_w.Escrow), $"escrow token balance != sum of internal balances {why}");

        long openLocked = 0;
        foreach (var (n, l) in _m.Leases)
        {
            var lease = await _w.LeaseAsync(LeaseId(n));
            Assert.True(lease.Status == l.Status && lease.Released == l.Released && lease.PaidSeconds == l.PaidSeconds, $"lease {n} differs {why}");
            var lockedPart = l.Status == 3 ? 0 : l.Cap - l.Released;
            Assert.True(l.Cap == lockedPart + l.Released + l.Refunded, $"lease {n}: cap != locked + released + refunded {why}");
            Assert.True(l.Fees == MoneyModel.Fee(l.Released), $"lease {n}: fees != 1% of released rounded down {why}");
            openLocked += lockedPart;
        }
        Assert.True(openLocked == _m.Locked.Sum(), $"locked != what open leases hold {why}");

        // Per job: committedOf = Σ (cap − refund) of its leases = what they lock + what they released, within maxTotal.
        foreach (var ((requester, job), committed) in _m.Committed)
        {
            var leases = _m.Leases.Values.Where(l => l.Requester == requester && l.Job == job).ToList();
            Assert.True(committed == leases.Sum(l => l.Cap - l.Refunded), $"job {job} of requester {requester}: committed != Σ (cap − refund) {why}");
            Assert.True(committed == leases.Sum(l => (l.Status == 3 ? 0 : l.Cap - l.Released) + l.Released),
                $"job {job} of requester {requester}: committed != locked + released {why}");
            Assert.True(committed <= MoneyModel.MaxTotalOf(job), $"job {job} of requester {requester} holds more than its maxTotal {why}");
            Assert.True(await _w.CommittedAsync(_requesters[requester], _jobs[requester][job]) == committed,
                $"committedOf(requester {requester}, job {job}) differs from the model {why}");
        }
        Assert.True(_m.Earnings[2] + _m.EarningsWithdrawn[2] == _m.FeesTotal, $"treasury fees != sum of release fees {why}");

        await new RegistrySteps(_w, _m, _providers, _harmed).CheckAsync(why);
    }

    /// <summary>Runs a step and checks it succeeded or reverted with exactly <paramref name="expected"/>.</summary>
    internal static async Task<TxOutcome?> Outcome(Op op, string? expected, Func<Task<TxOutcome>> step)
    {
        try
        {
            var tx = await step();
            Assert.True(expected is null, $"{op} succeeded but the model expected {expected}");
            return tx;
        }
        catch (ContractRevertException e)
        {
            Assert.True(expected == e.ErrorName, $"{op} reverted with {e.Message}, the model expected {expected ?? "success"}");
            return null;
        }
    }
}
