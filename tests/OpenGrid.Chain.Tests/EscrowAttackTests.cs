using System.Numerics;
using OpenGrid.Chain.Access;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Tests.Evm;
using static OpenGrid.Chain.Tests.Evm.EscrowWorld;

namespace OpenGrid.Chain.Tests;

/// <summary>Attacks on the escrow that must fail, each leaving every balance as it was.</summary>
public class EscrowAttackTests
{
    private const long Cap = 1000; // at 3600 per hour: one base unit per second
    private static readonly EscrowLeaseId Lease = EscrowLeaseId.FromKey("job-9/1");

    private static async Task<EscrowWorld> OpenLeaseAsync()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, 3600, Cap);
        return w;
    }

    [Fact]
    public async Task A_provider_cannot_release_pay_to_itself()
    {
        var w = await OpenLeaseAsync();
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 10, from: w.Provider)),
            "AccessControlUnauthorizedAccount", w.Provider, Roles.Operator);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, 10, from: w.Provider)),
            "AccessControlUnauthorizedAccount", w.Provider, Roles.Operator);
        Assert.Equal(BigInteger.Zero, await w.EarningsAsync(w.Provider));
    }

    [Fact]
    public async Task Nobody_but_the_operator_releases_not_even_the_admin_or_the_requester()
    {
        var w = await OpenLeaseAsync();
        foreach (var who in new[] { w.Admin, w.Requester, w.Stranger, w.Treasury })
            Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 10, from: who)),
                "AccessControlUnauthorizedAccount", who, Roles.Operator);
        Assert.Equal(BigInteger.Zero, (await w.LeaseAsync(Lease)).Released);
    }

    [Fact]
    public async Task A_claim_one_base_unit_beyond_the_cap_fails_while_the_cap_itself_pays()
    {
        var w = await OpenLeaseAsync();
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, Cap + 1)), "CapExceeded", Lease, Cap + 1, Cap);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, Cap + 1)), "CapExceeded", Lease, Cap + 1, Cap);
        Assert.Equal(new BigInteger(Cap), (await w.MilestoneAsync(Lease, Cap)).Event<ReleasedEvent>().Amount);
    }

    [Fact]
    public async Task A_provider_cannot_collect_pay_from_another_providers_lease()
    {
        var w = await OpenLeaseAsync();
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, 500, from: w.Provider2)),
            "AccessControlUnauthorizedAccount", w.Provider2, Roles.Operator);
        await w.MilestoneAsync(Lease, 500);

        Revert.Is(await w.Chain.RevertsAsync(w.Provider2, w.Escrow, new WithdrawEarningsFunction()), "NothingToWithdraw");
        Assert.Equal(new BigInteger(495), await w.EarningsAsync(w.Provider));
    }

    [Fact]
    public async Task A_requester_cannot_withdraw_funds_locked_in_a_lease()
    {
        var w = await OpenLeaseAsync();
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = 1 }), "InsufficientBalance", 0, 1);
        await w.StreamAsync(Lease, 400);
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = 1 }), "InsufficientBalance", 0, 1);

        await w.CloseAsync(Lease);
        await w.Chain.SendAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = 600 });
        Assert.Equal(new BigInteger(600), await w.TokenBalanceAsync(w.Requester));
    }

    [Fact]
    public async Task A_requester_cannot_close_its_lease_early_to_take_back_the_providers_pay()
    {
        var w = await OpenLeaseAsync();
        var expiresAt = (await w.LeaseAsync(Lease)).ExpiresAt;
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.CloseAsync(Lease, w.Requester)), "LeaseNotExpired", Lease, expiresAt);
    }

    [Fact]
    public async Task A_replayed_streaming_release_fails_and_pays_nothing_more()
    {
        var w = await OpenLeaseAsync();
        await w.StreamAsync(Lease, 300);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 300)), "SecondsNotIncreasing", Lease, 300, 300);
        Assert.Equal(new BigInteger(297), await w.EarningsAsync(w.Provider));
    }

    [Fact]
    public async Task A_replayed_milestone_fails_and_pays_nothing_more()
    {
        var w = await OpenLeaseAsync();
        await w.MilestoneAsync(Lease, 300);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, 300)), "LeaseNotOpen", Lease, EscrowLeaseStatus.Completed);
        Assert.Equal(new BigInteger(297), await w.EarningsAsync(w.Provider));
    }

    [Fact]
    public async Task A_lease_id_opens_once_even_after_it_closed()
    {
        var w = await OpenLeaseAsync();
        await w.DepositAsync(w.Requester, Cap);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, 3600, Cap)), "LeaseAlreadyExists", Lease);
        await w.CloseAsync(Lease);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, 3600, Cap)), "LeaseAlreadyExists", Lease);
        Assert.Equal(new BigInteger(2 * Cap), await w.AvailableAsync(w.Requester));
    }

    [Fact]
    public async Task A_replayed_close_cannot_refund_twice()
    {
        var w = await OpenLeaseAsync();
        await w.CloseAsync(Lease);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.CloseAsync(Lease)), "LeaseNotOpen", Lease, EscrowLeaseStatus.Closed);
        Assert.Equal(new BigInteger(Cap), await w.AvailableAsync(w.Requester));
    }

    [Fact]
    public async Task A_second_earnings_withdrawal_pays_nothing()
    {
        var w = await OpenLeaseAsync();
        await w.MilestoneAsync(Lease, 1000);
        await w.Chain.SendAsync(w.Provider, w.Escrow, new WithdrawEarningsFunction());
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Escrow, new WithdrawEarningsFunction()), "NothingToWithdraw");
        Assert.Equal(new BigInteger(990), await w.TokenBalanceAsync(w.Provider));
    }

    [Fact]
    public async Task A_second_full_withdrawal_by_a_requester_pays_nothing()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.Chain.SendAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = Cap });
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = Cap }), "InsufficientBalance", 0, Cap);
        Assert.Equal(new BigInteger(Cap), await w.TokenBalanceAsync(w.Requester));
    }

    [Fact]
    public async Task An_operator_cannot_lock_more_than_a_requester_deposited_nor_spend_another_requesters_funds()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        var other = EscrowLeaseId.FromKey("job-10/1");
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(other, 3600, Cap, requester: w.Requester2)),
            "InsufficientBalance", 0, Cap);
        Assert.Equal(new BigInteger(Cap), await w.AvailableAsync(w.Requester));
    }
}
