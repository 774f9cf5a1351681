using System.Numerics;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Tests.Evm;
using static OpenGrid.Chain.Tests.Invariants.InvariantRun;

namespace OpenGrid.Chain.Tests.Invariants;

/// <summary>The ProviderRegistry half of an <see cref="InvariantRun"/>: bonds, unbonding, slashes, compensation.</summary>
internal sealed class RegistrySteps(EscrowWorld w, MoneyModel m, string[] providers, string[] harmed)
{
    public async Task ApplyAsync(Op op)
    {
        switch (op)
        {
            case Bond b:
            {
                var amount = b.Kind switch { 0 => MoneyModel.MinBond - 1, 1 => MoneyModel.MinBond, _ => 3 * EscrowWorld.Usdc };
                var expected = m.Bonded[b.Provider] + amount < MoneyModel.MinBond ? "BelowMinimumBond" : null;
                await w.MintAndApproveAsync(providers[b.Provider], w.Registry, amount);
                if (await Outcome(b, expected, () => w.Chain.SendAsync(providers[b.Provider], w.Registry, new BondFunction { Amount = amount })) is not null)
                    m.Bonded[b.Provider] += amount;
                break;
            }
            case RequestUnbond u:
            {
                var bonded = m.Bonded[u.Provider];
                var amount = u.Percent > 100 ? bonded + 1 : bonded * u.Percent / 100;
                var expected = amount == 0 ? "ZeroAmount" : amount > bonded ? "InsufficientBond" : null;
                if (await Outcome(u, expected, () => w.Chain.SendAsync(providers[u.Provider], w.Registry, new RequestUnbondFunction { Amount = amount })) is not null)
                {
                    m.Bonded[u.Provider] -= amount;
                    m.Unbonding[u.Provider] += amount;
                }
                break;
            }
            case WithdrawUnbonded x:
            {
                w.Chain.Warp(EscrowWorld.UnbondDelay);
                var expected = m.Unbonding[x.Provider] == 0 ? "NothingToWithdraw" : null;
                if (await Outcome(x, expected, () => w.Chain.SendAsync(providers[x.Provider], w.Registry, new WithdrawUnbondedFunction())) is not null)
                    m.Unbonding[x.Provider] = 0;
                break;
            }
            case Slash s:
                await SlashAsync(s);
                break;
            case WithdrawCompensation c:
            {
                var amount = m.Compensation[c.Account];
                if (await Outcome(c, amount == 0 ? "NothingToWithdraw" : null,
                        () => w.Chain.SendAsync(harmed[c.Account], w.Registry, new WithdrawCompensationFunction())) is not null)
                {
                    m.Compensation[c.Account] = 0;
                    m.CompensationWithdrawn[c.Account] += amount;
                }
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "unknown step");
        }
    }

    private async Task SlashAsync(Slash s)
    {
        var stake = m.Bonded[s.Provider] + m.Unbonding[s.Provider];
        var amount = s.Percent > 100 ? stake + 1 : stake * s.Percent / 100;
        var expected = amount == 0 ? "ZeroAmount" : amount > stake ? "SlashExceedsStake" : null;
        var victim = s.Harmed < 0 ? ChainAddress.Zero : harmed[s.Harmed];
        var tx = await Outcome(s, expected, () => w.Chain.SendAsync(w.Coordinator, w.Registry, new SlashFunction
        {
            Provider = providers[s.Provider], Amount = amount, HarmedRequester = victim, Reason = "property test",
        }));
        if (tx is null)
            return;
        var toRequester = s.Harmed < 0 ? 0 : amount * EscrowWorld.HarmedShareBps / 10_000;
        var slashed = tx.Event<SlashedEvent>();
        Assert.Equal((new BigInteger(toRequester), new BigInteger(amount - toRequester)), (slashed.ToRequester, slashed.ToTreasury));
        var fromBond = Math.Min(amount, m.Bonded[s.Provider]);
        m.Bonded[s.Provider] -= fromBond;
        m.Unbonding[s.Provider] -= amount - fromBond;
        if (s.Harmed >= 0)
            m.Compensation[s.Harmed] += toRequester;
        m.Compensation[2] += amount - toRequester;
        m.SlashedTotal += amount;
    }

    public async Task CheckAsync(string why)
    {
        BigInteger held = 0;
        for (var p = 0; p < 2; p++)
        {
            var stake = await w.StakeAsync(providers[p]);
            Assert.True(stake.Bonded == m.Bonded[p] && stake.Unbonding == m.Unbonding[p], $"stake of provider {p} differs from the model {why}");
            held += stake.Bonded + stake.Unbonding;
        }
        for (var a = 0; a < 3; a++)
        {
            var owed = await w.CompensationAsync(harmed[a]);
            Assert.True(owed == m.Compensation[a], $"compensation of {a} differs from the model {why}");
            held += owed;
        }
        Assert.True(held == await w.TokenBalanceAsync(w.Registry), $"registry token balance != stakes + compensation {why}");
        Assert.True(m.SlashedTotal == m.Compensation.Sum() + m.CompensationWithdrawn.Sum(), $"slashed != compensation owed + paid {why}");
    }
}
