using System.Numerics;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Tests.Evm;
using OpenGrid.Chain.Token;
using static OpenGrid.Chain.Tests.Evm.EscrowWorld;

namespace OpenGrid.Chain.Tests;

/// <summary>
/// Re-entrancy through a malicious token: the token is also the attacker's account, and every transfer calls
/// back into the escrow or registry. The guard must refuse the nested call, and the outer call must pay once.
/// </summary>
public class ReentrancyTests
{
    private static readonly byte[] ReentrantCallSelector = "0x3ee5aeb5".HexToByteArray(); // ReentrancyGuardReentrantCall()

    private static Task<EscrowWorld> WorldWithMaliciousTokenAsync() =>
        CreateAsync((chain, admin) => chain.DeployAsync(admin, new MaliciousTokenDeployment()));

    /// <summary>Makes the token contract itself call <paramref name="target"/> (it is the attacker's account).</summary>
    private static Task<TxOutcome> AsAttacker<TMessage>(EscrowWorld w, string target, TMessage message) where TMessage : FunctionMessage, new() =>
        w.Chain.SendAsync(w.Stranger, w.Token, new ExecuteFunction { Target = target, Data = message.GetCallData() });

    private static async Task FundAttackerAsync(EscrowWorld w, string spender, BigInteger amount)
    {
        await w.Chain.SendAsync(w.Stranger, w.Token, new MintFunction { To = w.Token, Amount = amount });
        await AsAttacker(w, w.Token, new ApproveFunction { Spender = spender, Value = amount });
    }

    private static async Task AssertHookWasRefusedAsync(EscrowWorld w)
    {
        Assert.True(await w.Chain.CallAsync<HookCalledFunction, bool>(w.Token, new()), "the malicious hook never ran");
        Assert.False(await w.Chain.CallAsync<HookSucceededFunction, bool>(w.Token, new()), "the re-entrant call succeeded");
        Assert.Equal(ReentrantCallSelector, await w.Chain.CallAsync<HookReturnDataFunction, byte[]>(w.Token, new()));
    }

    [Fact]
    public async Task A_requester_withdrawal_that_re_enters_withdraw_is_refused_and_pays_once()
    {
        var w = await WorldWithMaliciousTokenAsync();
        await FundAttackerAsync(w, w.Escrow, 1000);
        await AsAttacker(w, w.Escrow, new DepositFunction { Amount = 1000 });
        await w.Chain.SendAsync(w.Stranger, w.Token, new ArmFunction { Target = w.Escrow, Data = new WithdrawFunction { Amount = 500 }.GetCallData() });

        await AsAttacker(w, w.Escrow, new WithdrawFunction { Amount = 500 });

        await AssertHookWasRefusedAsync(w);
        Assert.Equal(new BigInteger(500), await w.AvailableAsync(w.Token));
        Assert.Equal(new BigInteger(500), await w.TokenBalanceAsync(w.Token));
        Assert.Equal(new BigInteger(500), await w.TokenBalanceAsync(w.Escrow));
    }

    [Fact]
    public async Task A_deposit_that_re_enters_withdraw_is_refused()
    {
        var w = await WorldWithMaliciousTokenAsync();
        await FundAttackerAsync(w, w.Escrow, 1000);
        await w.Chain.SendAsync(w.Stranger, w.Token, new ArmFunction { Target = w.Escrow, Data = new WithdrawFunction { Amount = 1000 }.GetCallData() });

        await AsAttacker(w, w.Escrow, new DepositFunction { Amount = 1000 });

        await AssertHookWasRefusedAsync(w);
        Assert.Equal(new BigInteger(1000), await w.AvailableAsync(w.Token));
        Assert.Equal(new BigInteger(1000), await w.TokenBalanceAsync(w.Escrow));
    }

    [Fact]
    public async Task A_provider_earnings_withdrawal_that_re_enters_is_refused_and_pays_once()
    {
        var w = await WorldWithMaliciousTokenAsync();
        var lease = EscrowLeaseId.FromKey("evil/1");
        await w.Chain.SendAsync(w.Stranger, w.Token, new MintFunction { To = w.Requester, Amount = 100_000 });
        await w.Chain.SendAsync(w.Requester, w.Token, new ApproveFunction { Spender = w.Escrow, Value = 100_000 });
        await w.Chain.SendAsync(w.Requester, w.Escrow, new DepositFunction { Amount = 100_000 });
        await w.OpenAsync(lease, 3600, 100_000, provider: w.Token);
        await w.MilestoneAsync(lease, 10_000);
        await w.Chain.SendAsync(w.Stranger, w.Token, new ArmFunction { Target = w.Escrow, Data = new WithdrawEarningsFunction().GetCallData() });

        await AsAttacker(w, w.Escrow, new WithdrawEarningsFunction());

        await AssertHookWasRefusedAsync(w);
        Assert.Equal(new BigInteger(9_900), await w.TokenBalanceAsync(w.Token));
        Assert.Equal(BigInteger.Zero, await w.EarningsAsync(w.Token));
        Assert.Equal(new BigInteger(100_000 - 9_900), await w.TokenBalanceAsync(w.Escrow));
    }

    [Fact]
    public async Task An_unbonded_stake_withdrawal_that_re_enters_is_refused_and_pays_once()
    {
        var w = await WorldWithMaliciousTokenAsync();
        await FundAttackerAsync(w, w.Registry, MinBond);
        await AsAttacker(w, w.Registry, new BondFunction { Amount = MinBond });
        await AsAttacker(w, w.Registry, new RequestUnbondFunction { Amount = MinBond });
        w.Chain.Warp(UnbondDelay);
        await w.Chain.SendAsync(w.Stranger, w.Token, new ArmFunction { Target = w.Registry, Data = new WithdrawUnbondedFunction().GetCallData() });

        await AsAttacker(w, w.Registry, new WithdrawUnbondedFunction());

        await AssertHookWasRefusedAsync(w);
        Assert.Equal(new BigInteger(MinBond), await w.TokenBalanceAsync(w.Token));
        Assert.Equal(BigInteger.Zero, await w.TokenBalanceAsync(w.Registry));
    }

    [Fact]
    public async Task A_compensation_withdrawal_that_re_enters_is_refused_and_pays_once()
    {
        var w = await WorldWithMaliciousTokenAsync();
        await w.Chain.SendAsync(w.Stranger, w.Token, new MintFunction { To = w.Provider, Amount = MinBond });
        await w.Chain.SendAsync(w.Provider, w.Token, new ApproveFunction { Spender = w.Registry, Value = MinBond });
        await w.Chain.SendAsync(w.Provider, w.Registry, new BondFunction { Amount = MinBond });
        await w.Chain.SendAsync(w.Coordinator, w.Registry, new SlashFunction { Provider = w.Provider, Amount = 2000, HarmedRequester = w.Token, Reason = "x" });
        await w.Chain.SendAsync(w.Stranger, w.Token, new ArmFunction { Target = w.Registry, Data = new WithdrawCompensationFunction().GetCallData() });

        await AsAttacker(w, w.Registry, new WithdrawCompensationFunction());

        await AssertHookWasRefusedAsync(w);
        Assert.Equal(new BigInteger(1000), await w.TokenBalanceAsync(w.Token));
        Assert.Equal(BigInteger.Zero, await w.CompensationAsync(w.Token));
    }
}
