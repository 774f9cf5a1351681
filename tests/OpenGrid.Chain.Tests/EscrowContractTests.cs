using System.Numerics;
using OpenGrid.Chain.Access;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Tests.Evm;
using OpenGrid.Chain.Token;
using static OpenGrid.Chain.Tests.Evm.EscrowWorld;

namespace OpenGrid.Chain.Tests;

/// <summary>JobEscrow, in-process on Nethereum.EVM: every function, revert and event.</summary>
public class EscrowContractTests
{
    private const long RatePerHour = 3_600_000; // 3.6 USDC/h = 1000 base units per second
    private const long Cap = 10 * Usdc;
    private static readonly EscrowLeaseId Lease = EscrowLeaseId.FromKey("job-1/1");

    [Fact]
    public async Task Constructor_rejects_a_zero_admin_token_or_treasury()
    {
        var chain = new EvmChain();
        var a = chain.NewAccount();
        foreach (var (admin, token, treasury) in new[] { (ChainAddress.Zero, a, a), (a, ChainAddress.Zero, a), (a, a, ChainAddress.Zero) })
        {
            var e = await Assert.ThrowsAsync<ContractRevertException>(() => chain.DeployAsync(a,
                new JobEscrowDeployment { Admin = admin, Token = token, Treasury = treasury, CloseGrace = 1 }));
            Revert.Is(e, "ZeroAddress");
        }
    }

    [Fact]
    public async Task Constructor_records_token_treasury_grace_and_admin()
    {
        var w = await CreateAsync();
        Revert.SameAddress(w.Token, await w.Chain.CallAsync<EscrowTokenFunction, string>(w.Escrow, new()));
        Revert.SameAddress(w.Treasury, await w.Chain.CallAsync<EscrowTreasuryFunction, string>(w.Escrow, new()));
        Assert.Equal((ulong)CloseGrace, await w.Chain.CallAsync<CloseGraceFunction, ulong>(w.Escrow, new()));
        Assert.Equal(new BigInteger(100), await w.Chain.CallAsync<FeeBpsFunction, BigInteger>(w.Escrow, new()));
        Assert.True(await w.Chain.CallAsync<HasRoleFunction, bool>(w.Escrow, new() { Role = Roles.DefaultAdmin, Account = w.Admin }));
        Assert.True(await w.Chain.CallAsync<HasRoleFunction, bool>(w.Escrow, new() { Role = Roles.Operator, Account = w.Coordinator }));
    }

    [Fact]
    public async Task Deposit_credits_the_available_balance_takes_the_tokens_and_emits_Deposited()
    {
        var w = await CreateAsync();
        var tx = await w.DepositAsync(w.Requester, 5 * Usdc);

        var deposited = tx.Event<DepositedEvent>();
        Revert.SameAddress(w.Requester, deposited.Requester);
        Assert.Equal(new BigInteger(5 * Usdc), deposited.Amount);
        Assert.Equal(new BigInteger(5 * Usdc), await w.AvailableAsync(w.Requester));
        Assert.Equal(new BigInteger(5 * Usdc), await w.TokenBalanceAsync(w.Escrow));
        Assert.Equal(BigInteger.Zero, await w.TokenBalanceAsync(w.Requester));
    }

    [Fact]
    public async Task Deposit_of_zero_reverts_with_ZeroAmount()
    {
        var w = await CreateAsync();
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Escrow, new DepositFunction { Amount = 0 }), "ZeroAmount");
    }

    [Fact]
    public async Task Deposit_without_an_allowance_reverts_with_the_token_error()
    {
        var w = await CreateAsync();
        await w.Chain.SendAsync(w.Requester, w.Token, new MintFunction { To = w.Requester, Amount = Usdc });
        var e = await w.Chain.RevertsAsync(w.Requester, w.Escrow, new DepositFunction { Amount = Usdc });
        Revert.Is(e, "ERC20InsufficientAllowance", w.Escrow, 0, Usdc);
        Assert.Equal(BigInteger.Zero, await w.AvailableAsync(w.Requester));
    }

    [Fact]
    public async Task Withdraw_pays_out_available_funds_and_emits_Withdrawn()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, 5 * Usdc);
        var tx = await w.Chain.SendAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = 2 * Usdc });

        Assert.Equal(new BigInteger(2 * Usdc), tx.Event<WithdrawnEvent>().Amount);
        Assert.Equal(new BigInteger(3 * Usdc), await w.AvailableAsync(w.Requester));
        Assert.Equal(new BigInteger(2 * Usdc), await w.TokenBalanceAsync(w.Requester));
        Assert.Equal(new BigInteger(3 * Usdc), await w.TokenBalanceAsync(w.Escrow));
    }

    [Fact]
    public async Task Withdraw_of_zero_or_more_than_available_reverts()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, 5 * Usdc);
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = 0 }), "ZeroAmount");
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Escrow, new WithdrawFunction { Amount = 5 * Usdc + 1 }),
            "InsufficientBalance", 5 * Usdc, 5 * Usdc + 1);
    }

    [Fact]
    public async Task OpenLease_locks_the_cap_stores_the_lease_and_emits_LeaseOpened()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, 15 * Usdc);
        var tx = await w.OpenAsync(Lease, RatePerHour, Cap);

        var expiresAt = (ulong)(w.Chain.Timestamp + Cap * 3600 / RatePerHour + CloseGrace);
        var opened = tx.Event<LeaseOpenedEvent>();
        Assert.Equal(Lease, EscrowLeaseId.FromBytes(opened.LeaseId));
        Revert.SameAddress(w.Requester, opened.Requester);
        Revert.SameAddress(w.Provider, opened.Provider);
        Assert.Equal((new BigInteger(RatePerHour), new BigInteger(Cap), expiresAt), (opened.RatePerHour, opened.Cap, opened.ExpiresAt));
        Assert.Equal(new BigInteger(5 * Usdc), await w.AvailableAsync(w.Requester));
        Assert.Equal(new BigInteger(Cap), await w.LockedAsync(w.Requester));

        var lease = await w.LeaseAsync(Lease);
        Assert.Equal((byte)EscrowLeaseStatus.Open, lease.Status);
        Assert.Equal((0UL, new BigInteger(Cap), BigInteger.Zero, expiresAt), (lease.PaidSeconds, lease.Cap, lease.Released, lease.ExpiresAt));
    }

    [Fact]
    public async Task OpenLease_rounds_the_natural_end_up_to_a_whole_second()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, 7, 1); // 1 base unit at 7 per hour lasts 514.3 s
        Assert.Equal((ulong)(w.Chain.Timestamp + 515 + CloseGrace), (await w.LeaseAsync(Lease)).ExpiresAt);
    }

    [Fact]
    public async Task OpenLease_rejects_non_operators_zero_values_and_caps_above_the_balance()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        var open = (EscrowLeaseId id, string requester, string provider, long rate, long cap) => new OpenLeaseFunction
        {
            LeaseId = id.ToBytes(), Requester = requester, Provider = provider, RatePerHour = rate, Cap = cap,
        };
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Escrow, open(Lease, w.Requester, w.Provider, RatePerHour, Cap)),
            "AccessControlUnauthorizedAccount", w.Requester, Roles.Operator);
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Escrow, open(EscrowLeaseId.FromBytes(new byte[32]), w.Requester, w.Provider, RatePerHour, Cap)), "ZeroAmount");
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Escrow, open(Lease, w.Requester, w.Provider, 0, Cap)), "ZeroAmount");
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Escrow, open(Lease, w.Requester, w.Provider, RatePerHour, 0)), "ZeroAmount");
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Escrow, open(Lease, ChainAddress.Zero, w.Provider, RatePerHour, Cap)), "ZeroAddress");
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Escrow, open(Lease, w.Requester, ChainAddress.Zero, RatePerHour, Cap)), "ZeroAddress");
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, RatePerHour, Cap + 1)),
            "InsufficientBalance", Cap, Cap + 1);
    }

    [Fact]
    public async Task ReleaseStreaming_pays_each_new_interval_less_one_percent_and_emits_Released()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, RatePerHour, Cap);

        var first = (await w.StreamAsync(Lease, 60)).Event<ReleasedEvent>();
        Assert.Equal((60UL, new BigInteger(60_000), new BigInteger(600), false), (first.VerifiedSeconds, first.Amount, first.Fee, first.Milestone));
        Revert.SameAddress(w.Provider, first.Provider);
        var second = (await w.StreamAsync(Lease, 90)).Event<ReleasedEvent>();
        Assert.Equal((90UL, new BigInteger(30_000), new BigInteger(300)), (second.VerifiedSeconds, second.Amount, second.Fee));

        Assert.Equal(new BigInteger(90_000 - 900), await w.EarningsAsync(w.Provider));
        Assert.Equal(new BigInteger(900), await w.EarningsAsync(w.Treasury));
        Assert.Equal(new BigInteger(Cap - 90_000), await w.LockedAsync(w.Requester));
        var lease = await w.LeaseAsync(Lease);
        Assert.Equal((90UL, new BigInteger(90_000)), (lease.PaidSeconds, lease.Released));
    }

    [Fact]
    public async Task Fees_round_down_on_the_lease_total_so_splitting_into_intervals_changes_nothing()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, 3600, 1000); // 1 base unit per second

        var fees = new List<BigInteger>();
        foreach (var seconds in new ulong[] { 150, 199, 250 })
            fees.Add((await w.StreamAsync(Lease, seconds)).Event<ReleasedEvent>().Fee);

        Assert.Equal(new BigInteger[] { 1, 0, 1 }, fees); // floor(1.50)=1, floor(1.99)-1=0, floor(2.50)-1=1
        Assert.Equal(new BigInteger(2), await w.EarningsAsync(w.Treasury)); // floor(1% of 250)
        Assert.Equal(new BigInteger(248), await w.EarningsAsync(w.Provider));
    }

    [Fact]
    public async Task ReleaseStreaming_pays_nothing_when_new_seconds_round_to_zero_but_records_them()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, 1800, Cap); // half a base unit per second
        var released = (await w.StreamAsync(Lease, 1)).Event<ReleasedEvent>();
        Assert.Equal((BigInteger.Zero, BigInteger.Zero), (released.Amount, released.Fee));
        Assert.Equal(new BigInteger(1), (await w.StreamAsync(Lease, 2)).Event<ReleasedEvent>().Amount);
    }

    [Fact]
    public async Task ReleaseStreaming_rejects_unknown_leases_old_seconds_and_pay_beyond_the_cap()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        var unknown = await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 1));
        Revert.Is(unknown, "LeaseNotOpen", Lease, EscrowLeaseStatus.None);

        await w.OpenAsync(Lease, RatePerHour, Cap);
        await w.StreamAsync(Lease, 60);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 60)), "SecondsNotIncreasing", Lease, 60, 60);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 59)), "SecondsNotIncreasing", Lease, 60, 59);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 10_001)), "CapExceeded", Lease, Cap + 1000, Cap);
        Assert.Equal(new BigInteger(Cap), (await w.StreamAsync(Lease, 10_000)).Event<ReleasedEvent>().Amount + 60_000);
    }

    [Fact]
    public async Task ReleaseMilestone_pays_the_verified_run_once_and_completes_the_lease()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        var released = (await w.MilestoneAsync(Lease, 1234)).Event<ReleasedEvent>();

        Assert.Equal((1234UL, new BigInteger(1_234_000), new BigInteger(12_340), true),
            (released.VerifiedSeconds, released.Amount, released.Fee, released.Milestone));
        Assert.Equal((byte)EscrowLeaseStatus.Completed, (await w.LeaseAsync(Lease)).Status);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, 1235)),
            "LeaseNotOpen", Lease, EscrowLeaseStatus.Completed);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 1235)),
            "LeaseNotOpen", Lease, EscrowLeaseStatus.Completed);
    }

    [Fact]
    public async Task ReleaseMilestone_after_streaming_pays_only_the_rest()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        await w.StreamAsync(Lease, 100);
        var released = (await w.MilestoneAsync(Lease, 150)).Event<ReleasedEvent>();
        Assert.Equal((new BigInteger(50_000), new BigInteger(500)), (released.Amount, released.Fee));
    }

    [Fact]
    public async Task ReleaseMilestone_rejects_pay_beyond_the_cap_and_unknown_leases()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, 5)), "LeaseNotOpen", Lease, EscrowLeaseStatus.None);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, 20_000)), "CapExceeded", Lease, 20 * Usdc, Cap);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.MilestoneAsync(Lease, 0)), "SecondsNotIncreasing", Lease, 0, 0);
    }

    [Fact]
    public async Task CloseLease_refunds_the_unreleased_rest_and_emits_LeaseClosed()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        await w.MilestoneAsync(Lease, 1000);
        var closed = (await w.CloseAsync(Lease)).Event<LeaseClosedEvent>();

        Assert.Equal((new BigInteger(Usdc), new BigInteger(Cap - Usdc)), (closed.Released, closed.Refund));
        Revert.SameAddress(w.Requester, closed.Requester);
        Revert.SameAddress(w.Coordinator, closed.ClosedBy);
        Assert.Equal(new BigInteger(Cap - Usdc), await w.AvailableAsync(w.Requester));
        Assert.Equal(BigInteger.Zero, await w.LockedAsync(w.Requester));
        Assert.Equal((byte)EscrowLeaseStatus.Closed, (await w.LeaseAsync(Lease)).Status);
    }

    [Fact]
    public async Task CloseLease_of_an_unpaid_lease_refunds_everything()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        Assert.Equal(new BigInteger(Cap), (await w.CloseAsync(Lease)).Event<LeaseClosedEvent>().Refund);
        Assert.Equal(new BigInteger(Cap), await w.AvailableAsync(w.Requester));
    }

    [Fact]
    public async Task CloseLease_rejects_unknown_and_closed_leases()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.CloseAsync(Lease)), "LeaseNotOpen", Lease, EscrowLeaseStatus.None);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        await w.CloseAsync(Lease);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.CloseAsync(Lease)), "LeaseNotOpen", Lease, EscrowLeaseStatus.Closed);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.StreamAsync(Lease, 1)), "LeaseNotOpen", Lease, EscrowLeaseStatus.Closed);
    }

    [Fact]
    public async Task The_requester_can_close_its_own_lease_only_after_it_expires()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        var expiresAt = (await w.LeaseAsync(Lease)).ExpiresAt;

        w.Chain.Warp((long)expiresAt - w.Chain.Timestamp - 1);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.CloseAsync(Lease, w.Requester)), "LeaseNotExpired", Lease, expiresAt);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.CloseAsync(Lease, w.Stranger)),
            "AccessControlUnauthorizedAccount", w.Stranger, Roles.Operator);
        w.Chain.Warp(1);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.CloseAsync(Lease, w.Stranger)),
            "AccessControlUnauthorizedAccount", w.Stranger, Roles.Operator);
        var closed = (await w.CloseAsync(Lease, w.Requester)).Event<LeaseClosedEvent>();
        Revert.SameAddress(w.Requester, closed.ClosedBy);
        Assert.Equal(new BigInteger(Cap), await w.AvailableAsync(w.Requester));
    }

    [Fact]
    public async Task WithdrawEarnings_pays_the_provider_and_the_treasury_and_emits_EarningsWithdrawn()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        await w.OpenAsync(Lease, RatePerHour, Cap);
        await w.MilestoneAsync(Lease, 1000);

        var provider = (await w.Chain.SendAsync(w.Provider, w.Escrow, new WithdrawEarningsFunction())).Event<EarningsWithdrawnEvent>();
        var treasury = (await w.Chain.SendAsync(w.Treasury, w.Escrow, new WithdrawEarningsFunction())).Event<EarningsWithdrawnEvent>();

        Assert.Equal((new BigInteger(990_000), new BigInteger(10_000)), (provider.Amount, treasury.Amount));
        Assert.Equal(new BigInteger(990_000), await w.TokenBalanceAsync(w.Provider));
        Assert.Equal(new BigInteger(10_000), await w.TokenBalanceAsync(w.Treasury));
        Assert.Equal(BigInteger.Zero, await w.EarningsAsync(w.Provider));
    }

    [Fact]
    public async Task WithdrawEarnings_with_nothing_earned_reverts_with_NothingToWithdraw()
    {
        var w = await CreateAsync();
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Escrow, new WithdrawEarningsFunction()), "NothingToWithdraw");
    }

    [Fact]
    public async Task Only_the_admin_grants_roles_and_a_revoked_operator_can_no_longer_open_leases()
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, Cap);
        Revert.Is(await w.Chain.RevertsAsync(w.Stranger, w.Escrow, new GrantRoleFunction { Role = Roles.Operator, Account = w.Stranger }),
            "AccessControlUnauthorizedAccount", w.Stranger, Roles.DefaultAdmin);

        var revoked = (await w.Chain.SendAsync(w.Admin, w.Escrow, new RevokeRoleFunction { Role = Roles.Operator, Account = w.Coordinator }))
            .Event<RoleRevokedEvent>();
        Revert.SameAddress(w.Coordinator, revoked.Account);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, RatePerHour, Cap)),
            "AccessControlUnauthorizedAccount", w.Coordinator, Roles.Operator);
    }
}
