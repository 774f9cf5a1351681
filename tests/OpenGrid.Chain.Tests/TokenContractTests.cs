using System.Numerics;
using OpenGrid.Chain.Tests.Evm;
using OpenGrid.Chain.Token;
using static OpenGrid.Chain.Tests.Evm.EscrowWorld;

namespace OpenGrid.Chain.Tests;

/// <summary>TestUSDC, in-process on Nethereum.EVM.</summary>
public class TokenContractTests
{
    [Fact]
    public async Task TestUSDC_has_6_decimals_like_USDC()
    {
        var w = await CreateAsync();
        Assert.Equal((byte)6, await w.Chain.CallAsync<DecimalsFunction, byte>(w.Token, new()));
    }

    [Fact]
    public async Task Anyone_can_mint_from_the_faucet_and_a_mint_emits_Transfer_from_zero()
    {
        var w = await CreateAsync();
        var transfer = (await w.Chain.SendAsync(w.Stranger, w.Token, new MintFunction { To = w.Requester, Amount = 7 * Usdc })).Event<TransferEvent>();
        Revert.SameAddress(ChainAddress.Zero, transfer.From);
        Revert.SameAddress(w.Requester, transfer.To);
        Assert.Equal(new BigInteger(7 * Usdc), transfer.Value);
        Assert.Equal(new BigInteger(7 * Usdc), await w.Chain.CallAsync<TotalSupplyFunction, BigInteger>(w.Token, new()));
    }

    [Fact]
    public async Task Transfers_and_approvals_follow_ERC20()
    {
        var w = await CreateAsync();
        await w.Chain.SendAsync(w.Requester, w.Token, new MintFunction { To = w.Requester, Amount = 10 });
        var approval = (await w.Chain.SendAsync(w.Requester, w.Token, new ApproveFunction { Spender = w.Escrow, Value = 4 })).Event<ApprovalEvent>();
        Assert.Equal(new BigInteger(4), approval.Value);
        Assert.Equal(new BigInteger(4), await w.Chain.CallAsync<AllowanceFunction, BigInteger>(w.Token, new() { Owner = w.Requester, Spender = w.Escrow }));
        await w.Chain.SendAsync(w.Requester, w.Token, new TransferFunction { To = w.Provider, Value = 3 });
        Assert.Equal(new BigInteger(3), await w.TokenBalanceAsync(w.Provider));
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Token, new TransferFunction { To = w.Provider, Value = 8 }),
            "ERC20InsufficientBalance", w.Requester, 7, 8);
    }
}
