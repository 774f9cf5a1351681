using OpenGrid.Testing;
using System.Numerics;
using OpenGrid.Chain.Escrow;
using OpenGrid.Core;
using Xunit.Abstractions;

namespace OpenGrid.Chain.Tests.Anvil;

/// <summary>
/// The contracts on a real anvil through the typed clients: a milestone job from deposit to provider withdrawal
/// with exact balances at every step, a streaming job, and the gas each costs.
/// </summary>
[Trait("Category", "Anvil")]
public class SettlementOnAnvilTests(AnvilFixture anvil, ITestOutputHelper output) : IClassFixture<AnvilFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TokenAmount Rate = Units(500_000);                           // 0.50 USDC per hour
    private static readonly TokenAmount Cap = EscrowRules.CapFor(Rate, TimeSpan.FromMinutes(10)); // 83_333

    private static TokenAmount Units(long units) => TokenAmount.FromBaseUnits(units);

    [Fact]
    public async Task A_milestone_job_settles_with_exact_balances_at_each_step()
    {
        var p = await AnvilParties.DeployAsync(anvil.Chain);
        var lease = EscrowLeaseId.FromKey("hello/1");
        Assert.Equal(Units(83_333), Cap);

        await p.Requester.Token.MintAsync(p.RequesterAddress, Units(10_000_000), None);
        await p.Requester.Token.ApproveAsync(p.Requester.Escrow.Address, Units(10_000_000), None);
        var deposit = await p.Requester.Escrow.DepositAsync(Units(10_000_000), None);
        Assert.Equal(new BigInteger(10_000_000), deposit.Event<DepositedEvent>().Amount);
        Assert.Equal(Units(0), await p.Requester.Token.BalanceOfAsync(p.RequesterAddress, None));
        Assert.Equal(new EscrowBalances(Units(10_000_000), Units(0), Units(0)), await p.Requester.Escrow.GetBalancesAsync(p.RequesterAddress, None));

        var open = await p.Coordinator.Escrow.OpenLeaseAsync(lease, p.RequesterAddress, p.ProviderAddress, Rate, Cap, p.Authorize(lease.Hex, Rate, Cap), None);
        Assert.Equal(new EscrowBalances(Units(10_000_000 - 83_333), Cap, Units(0)), await p.Requester.Escrow.GetBalancesAsync(p.RequesterAddress, None));

        var milestone = await p.Coordinator.Escrow.ReleaseMilestoneAsync(lease, 120, None); // 120 s at 0.50/h = 16_666
        var released = milestone.Event<ReleasedEvent>();
        Assert.Equal((new BigInteger(16_666), new BigInteger(166), true), (released.Amount, released.Fee, released.Milestone));
        Assert.Equal(new EscrowBalances(Units(0), Units(0), Units(16_500)), await p.Requester.Escrow.GetBalancesAsync(p.ProviderAddress, None));
        Assert.Equal(Units(166), (await p.Requester.Escrow.GetBalancesAsync(p.TreasuryAddress, None)).Earnings);
        Assert.Equal(new EscrowBalances(Units(10_000_000 - 83_333), Units(83_333 - 16_666), Units(0)), await p.Requester.Escrow.GetBalancesAsync(p.RequesterAddress, None));

        var close = await p.Coordinator.Escrow.CloseLeaseAsync(lease, None);
        Assert.Equal(new BigInteger(66_667), close.Event<LeaseClosedEvent>().Refund);
        Assert.Equal(new EscrowBalances(Units(10_000_000 - 16_666), Units(0), Units(0)), await p.Requester.Escrow.GetBalancesAsync(p.RequesterAddress, None));
        var stored = await p.Requester.Escrow.GetLeaseAsync(lease, None);
        Assert.Equal((EscrowLeaseStatus.Closed, Units(16_666), 120UL), (stored!.Status, stored.Released, stored.PaidSeconds));

        var earnings = await p.Provider.Escrow.WithdrawEarningsAsync(None);
        Assert.Equal(Units(16_500), await p.Provider.Token.BalanceOfAsync(p.ProviderAddress, None));
        await p.Treasury.Escrow.WithdrawEarningsAsync(None);
        Assert.Equal(Units(166), await p.Treasury.Token.BalanceOfAsync(p.TreasuryAddress, None));
        await p.Requester.Escrow.WithdrawAsync(Units(10_000_000 - 16_666), None);
        Assert.Equal(Units(10_000_000 - 16_666), await p.Requester.Token.BalanceOfAsync(p.RequesterAddress, None));
        Assert.Equal(Units(0), await p.Requester.Token.BalanceOfAsync(p.Requester.Escrow.Address, None));

        output.WriteLine($"gas: deposit {deposit.GasUsed}, openLease {open.GasUsed}, releaseMilestone {milestone.GasUsed}, closeLease {close.GasUsed}, withdrawEarnings {earnings.GasUsed}");
        output.WriteLine($"gas per milestone job (open + milestone + close): {open.GasUsed + milestone.GasUsed + close.GasUsed}");
    }

    [Fact]
    public async Task A_streaming_job_pays_each_interval_and_refunds_the_rest()
    {
        var p = await AnvilParties.DeployAsync(anvil.Chain);
        var lease = EscrowLeaseId.FromKey("stream/1");
        await p.FundRequesterAsync(Cap);
        var authorization = p.Authorize("stream", Rate, Cap);
        var open = await p.Coordinator.Escrow.OpenLeaseAsync(lease, p.RequesterAddress, p.ProviderAddress, Rate, Cap, authorization, None);

        var gas = new List<BigInteger>();
        for (ulong seconds = 60; seconds <= 300; seconds += 60)
            gas.Add((await p.Coordinator.Escrow.ReleaseStreamingAsync(lease, seconds, None)).GasUsed);
        var close = await p.Coordinator.Escrow.CloseLeaseAsync(lease, None);

        var paid = EscrowRules.PayFor(Rate, 300);  // 41_666
        var fee = EscrowRules.FeeOn(paid);         // 416
        Assert.Equal(Units(paid.BaseUnits - fee.BaseUnits), (await p.Provider.Escrow.GetBalancesAsync(p.ProviderAddress, None)).Earnings);
        Assert.Equal(Units(fee.BaseUnits), (await p.Provider.Escrow.GetBalancesAsync(p.TreasuryAddress, None)).Earnings);
        Assert.Equal(new EscrowBalances(Units(Cap.BaseUnits - paid.BaseUnits), Units(0), Units(0)), await p.Requester.Escrow.GetBalancesAsync(p.RequesterAddress, None));

        // A retry under the same authorization: the close gave the refund back to the job, the 41_666 paid still count.
        Assert.Equal(paid, await p.Coordinator.Escrow.CommittedAsync(p.RequesterAddress, authorization.Job, None));
        var retry = await p.Coordinator.Escrow.OpenLeaseAsync(EscrowLeaseId.FromKey("stream/2"), p.RequesterAddress, p.ProviderAddress, Rate,
            Units(Cap.BaseUnits - paid.BaseUnits), authorization, None);
        Assert.Equal(Cap, await p.Coordinator.Escrow.CommittedAsync(p.RequesterAddress, authorization.Job, None));

        output.WriteLine($"gas: openLease {open.GasUsed}, releaseStreaming per interval {string.Join(", ", gas)}, closeLease {close.GasUsed}, " +
            $"openLease of the job's retry {retry.GasUsed}");
    }

    [Fact]
    public async Task A_release_sent_but_not_confirmed_is_recognised_after_a_restart_and_a_resend_cannot_pay_twice()
    {
        var p = await AnvilParties.DeployAsync(anvil.Chain);
        var lease = EscrowLeaseId.FromKey("restart/1");
        await p.FundRequesterAsync(Cap);
        await p.Coordinator.Escrow.OpenLeaseAsync(lease, p.RequesterAddress, p.ProviderAddress, Rate, Cap, p.Authorize(lease.Hex, Rate, Cap), None);

        // The coordinator sends and "dies" before it reads the receipt.
        var web3 = anvil.Chain.Web3(AnvilParties.CoordinatorIndex);
        var hash = await web3.Eth.GetContractTransactionHandler<ReleaseMilestoneFunction>()
            .SendRequestAsync(p.Coordinator.Escrow.Address, new ReleaseMilestoneFunction { LeaseId = lease.ToBytes(), VerifiedSeconds = 120 });
        Assert.NotNull(hash);

        // After the restart it reads the lease: the release is already there, so it must not send it again.
        var restarted = ChainContracts.At(anvil.Chain.Web3(AnvilParties.CoordinatorIndex), p.Addresses);
        var stored = await restarted.Escrow.GetLeaseAsync(lease, None);
        Assert.Equal((EscrowLeaseStatus.Completed, 120UL), (stored!.Status, stored.PaidSeconds));
        var resend = await Assert.ThrowsAsync<ContractRevertException>(() => restarted.Escrow.ReleaseMilestoneAsync(lease, 120, None));
        Assert.Equal("chain.lease_not_open", resend.Code);
        Assert.Equal(Units(16_500), (await restarted.Escrow.GetBalancesAsync(p.ProviderAddress, None)).Earnings);
    }

    [Fact]
    public async Task Two_earnings_withdrawals_mined_in_the_same_block_pay_once()
    {
        var p = await AnvilParties.DeployAsync(anvil.Chain);
        var lease = EscrowLeaseId.FromKey("double/1");
        await p.FundRequesterAsync(Cap);
        await p.Coordinator.Escrow.OpenLeaseAsync(lease, p.RequesterAddress, p.ProviderAddress, Rate, Cap, p.Authorize(lease.Hex, Rate, Cap), None);
        await p.Coordinator.Escrow.ReleaseMilestoneAsync(lease, 120, None);

        var receipts = await AnvilParties.InOneBlockAsync(anvil.Chain, AnvilParties.ProviderIndex, p.Provider.Escrow.Address,
            new WithdrawEarningsFunction { Gas = 200_000 }, new WithdrawEarningsFunction { Gas = 200_000 });

        Assert.Equal(receipts[0].BlockNumber.Value, receipts[1].BlockNumber.Value);
        Assert.Equal(new[] { 1, 0 }, receipts.Select(r => (int)r.Status.Value));
        Assert.Equal(Units(16_500), await p.Provider.Token.BalanceOfAsync(p.ProviderAddress, None));
    }

    [Fact]
    public async Task A_bonded_provider_is_slashed_and_the_harmed_requester_is_compensated()
    {
        var p = await AnvilParties.DeployAsync(anvil.Chain);
        var minBond = await p.Provider.Registry.MinBondAsync(None);
        await p.Provider.Token.MintAsync(p.ProviderAddress, minBond, None);
        await p.Provider.Token.ApproveAsync(p.Provider.Registry.Address, minBond, None);
        var bond = await p.Provider.Registry.BondAsync(minBond, None);
        Assert.True(await p.Coordinator.Registry.IsBondedAsync(p.ProviderAddress, None));

        var slash = await p.Coordinator.Registry.SlashAsync(p.ProviderAddress, Units(1_000_000), p.RequesterAddress, "wrong output", None);
        await p.Coordinator.Reputation.SetScoreAsync(p.ProviderAddress, 1_000, new byte[32], None);
        Assert.False(await p.Coordinator.Registry.IsBondedAsync(p.ProviderAddress, None));
        Assert.Equal(Units(500_000), await p.Requester.Registry.CompensationOfAsync(p.RequesterAddress, None));
        await p.Requester.Registry.WithdrawCompensationAsync(None);
        Assert.Equal(Units(500_000), await p.Requester.Token.BalanceOfAsync(p.RequesterAddress, None));
        Assert.Equal(1_000u, (await p.Requester.Reputation.GetScoreAsync(p.ProviderAddress, None)).Value);

        output.WriteLine($"gas: bond {bond.GasUsed}, slash {slash.GasUsed}");
    }
}
