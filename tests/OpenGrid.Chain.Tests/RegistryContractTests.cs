using System.Numerics;
using OpenGrid.Chain.Access;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Tests.Evm;
using static OpenGrid.Chain.Tests.Evm.EscrowWorld;

namespace OpenGrid.Chain.Tests;

/// <summary>ProviderRegistry, in-process on Nethereum.EVM: every function, revert and event.</summary>
public class RegistryContractTests
{
    [Fact]
    public async Task Constructor_rejects_zero_addresses_a_zero_minimum_and_a_share_above_100_percent()
    {
        var chain = new EvmChain();
        var a = chain.NewAccount();
        ProviderRegistryDeployment Plan(string admin, string token, string treasury, long minBond, ushort share) =>
            new() { Admin = admin, Token = token, Treasury = treasury, MinBond = minBond, UnbondDelay = 1, HarmedShareBps = share };
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => chain.DeployAsync(a, Plan(ChainAddress.Zero, a, a, 1, 0))), "ZeroAddress");
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => chain.DeployAsync(a, Plan(a, ChainAddress.Zero, a, 1, 0))), "ZeroAddress");
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => chain.DeployAsync(a, Plan(a, a, ChainAddress.Zero, 1, 0))), "ZeroAddress");
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => chain.DeployAsync(a, Plan(a, a, a, 0, 0))), "ZeroAmount");
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => chain.DeployAsync(a, Plan(a, a, a, 1, 10_001))), "InvalidShare", 10_001);
    }

    [Fact]
    public async Task Constructor_records_its_parameters()
    {
        var w = await CreateAsync();
        Assert.Equal(new BigInteger(MinBond), await w.Chain.CallAsync<MinBondFunction, BigInteger>(w.Registry, new()));
        Assert.Equal((ulong)UnbondDelay, await w.Chain.CallAsync<UnbondDelayFunction, ulong>(w.Registry, new()));
        Assert.Equal(HarmedShareBps, await w.Chain.CallAsync<HarmedShareBpsFunction, ushort>(w.Registry, new()));
    }

    [Fact]
    public async Task Bond_at_the_minimum_makes_the_provider_bonded_and_emits_Bonded()
    {
        var w = await CreateAsync();
        Assert.False(await w.Chain.CallAsync<IsBondedFunction, bool>(w.Registry, new() { Provider = w.Provider }));
        var bonded = (await w.BondAsync(w.Provider, MinBond)).Event<BondedEvent>();

        Revert.SameAddress(w.Provider, bonded.Provider);
        Assert.Equal((new BigInteger(MinBond), new BigInteger(MinBond)), (bonded.Amount, bonded.Bonded));
        Assert.True(await w.Chain.CallAsync<IsBondedFunction, bool>(w.Registry, new() { Provider = w.Provider }));
        Assert.Equal(new BigInteger(MinBond), await w.TokenBalanceAsync(w.Registry));
        var topUp = (await w.BondAsync(w.Provider, 1)).Event<BondedEvent>();
        Assert.Equal(new BigInteger(MinBond + 1), topUp.Bonded);
    }

    [Fact]
    public async Task Bond_below_the_minimum_or_of_zero_reverts()
    {
        var w = await CreateAsync();
        await w.MintAndApproveAsync(w.Provider, w.Registry, MinBond);
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Registry, new BondFunction { Amount = MinBond - 1 }), "BelowMinimumBond", MinBond - 1, MinBond);
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Registry, new BondFunction { Amount = 0 }), "ZeroAmount");
    }

    [Fact]
    public async Task RequestUnbond_moves_stake_to_unbonding_starts_the_delay_and_emits_UnbondRequested()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond + 5);
        var requested = (await w.Chain.SendAsync(w.Provider, w.Registry, new RequestUnbondFunction { Amount = 5 })).Event<UnbondRequestedEvent>();

        var readyAt = (ulong)(w.Chain.Timestamp + UnbondDelay);
        Assert.Equal((new BigInteger(5), new BigInteger(5), readyAt), (requested.Amount, requested.Unbonding, requested.ReadyAt));
        var stake = await w.StakeAsync(w.Provider);
        Assert.Equal((new BigInteger(MinBond), new BigInteger(5), readyAt), (stake.Bonded, stake.Unbonding, stake.UnbondReadyAt));
        Assert.True(await w.Chain.CallAsync<IsBondedFunction, bool>(w.Registry, new() { Provider = w.Provider }));

        await w.Chain.SendAsync(w.Provider, w.Registry, new RequestUnbondFunction { Amount = 1 });
        Assert.False(await w.Chain.CallAsync<IsBondedFunction, bool>(w.Registry, new() { Provider = w.Provider }));
    }

    [Fact]
    public async Task RequestUnbond_of_zero_or_more_than_bonded_reverts()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond);
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Registry, new RequestUnbondFunction { Amount = 0 }), "ZeroAmount");
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Registry, new RequestUnbondFunction { Amount = MinBond + 1 }),
            "InsufficientBond", MinBond + 1, MinBond);
    }

    [Fact]
    public async Task WithdrawUnbonded_pays_out_only_after_the_delay_and_only_once()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond);
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Registry, new WithdrawUnbondedFunction()), "NothingToWithdraw");
        await w.Chain.SendAsync(w.Provider, w.Registry, new RequestUnbondFunction { Amount = MinBond });
        var readyAt = (ulong)(w.Chain.Timestamp + UnbondDelay);

        w.Chain.Warp(UnbondDelay - 1);
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Registry, new WithdrawUnbondedFunction()), "UnbondNotReady", readyAt, w.Chain.Timestamp);
        w.Chain.Warp(1);
        var withdrawn = (await w.Chain.SendAsync(w.Provider, w.Registry, new WithdrawUnbondedFunction())).Event<UnbondWithdrawnEvent>();

        Assert.Equal(new BigInteger(MinBond), withdrawn.Amount);
        Assert.Equal(new BigInteger(MinBond), await w.TokenBalanceAsync(w.Provider));
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Registry, new WithdrawUnbondedFunction()), "NothingToWithdraw");
    }

    [Fact]
    public async Task Slash_splits_between_the_harmed_requester_and_the_treasury_and_emits_Slashed()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond);
        var slashed = (await w.Chain.SendAsync(w.Coordinator, w.Registry, new SlashFunction
        {
            Provider = w.Provider, Amount = 3_000_001, HarmedRequester = w.Requester, Reason = "wrong output for job-7",
        })).Event<SlashedEvent>();

        Assert.Equal((new BigInteger(3_000_001), new BigInteger(1_500_000), new BigInteger(1_500_001), "wrong output for job-7"),
            (slashed.Amount, slashed.ToRequester, slashed.ToTreasury, slashed.Reason));
        Revert.SameAddress(w.Requester, slashed.HarmedRequester);
        Assert.Equal(new BigInteger(1_500_000), await w.CompensationAsync(w.Requester));
        Assert.Equal(new BigInteger(1_500_001), await w.CompensationAsync(w.Treasury));
        Assert.Equal(new BigInteger(MinBond - 3_000_001), (await w.StakeAsync(w.Provider)).Bonded);
        Assert.False(await w.Chain.CallAsync<IsBondedFunction, bool>(w.Registry, new() { Provider = w.Provider }));
    }

    [Fact]
    public async Task Slash_without_a_harmed_requester_pays_the_treasury_everything()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond);
        var slashed = (await w.Chain.SendAsync(w.Coordinator, w.Registry, new SlashFunction
        {
            Provider = w.Provider, Amount = 1000, HarmedRequester = ChainAddress.Zero, Reason = "failed canary",
        })).Event<SlashedEvent>();
        Assert.Equal((BigInteger.Zero, new BigInteger(1000)), (slashed.ToRequester, slashed.ToTreasury));
        Assert.Equal(new BigInteger(1000), await w.CompensationAsync(w.Treasury));
    }

    [Fact]
    public async Task Slash_reaches_stake_that_is_waiting_to_unbond()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond);
        await w.Chain.SendAsync(w.Provider, w.Registry, new RequestUnbondFunction { Amount = MinBond - 100 });
        await w.Chain.SendAsync(w.Coordinator, w.Registry, new SlashFunction
        {
            Provider = w.Provider, Amount = 1000, HarmedRequester = w.Requester, Reason = "fraud",
        });
        var stake = await w.StakeAsync(w.Provider);
        Assert.Equal((BigInteger.Zero, new BigInteger(MinBond - 1000)), (stake.Bonded, stake.Unbonding));
    }

    [Fact]
    public async Task Slash_rejects_non_verifiers_zero_values_and_more_than_the_stake()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond);
        SlashFunction Slash(string provider, long amount) => new() { Provider = provider, Amount = amount, HarmedRequester = w.Requester, Reason = "x" };
        Revert.Is(await w.Chain.RevertsAsync(w.Provider2, w.Registry, Slash(w.Provider, 1)), "AccessControlUnauthorizedAccount", w.Provider2, Roles.Verifier);
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Registry, Slash(ChainAddress.Zero, 1)), "ZeroAddress");
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Registry, Slash(w.Provider, 0)), "ZeroAmount");
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Registry, Slash(w.Provider, MinBond + 1)), "SlashExceedsStake", MinBond + 1, MinBond);
    }

    [Fact]
    public async Task WithdrawCompensation_pays_slash_proceeds_once_and_emits_CompensationWithdrawn()
    {
        var w = await CreateAsync();
        await w.BondAsync(w.Provider, MinBond);
        await w.Chain.SendAsync(w.Coordinator, w.Registry, new SlashFunction { Provider = w.Provider, Amount = 2000, HarmedRequester = w.Requester, Reason = "x" });

        var withdrawn = (await w.Chain.SendAsync(w.Requester, w.Registry, new WithdrawCompensationFunction())).Event<CompensationWithdrawnEvent>();
        Assert.Equal(new BigInteger(1000), withdrawn.Amount);
        Assert.Equal(new BigInteger(1000), await w.TokenBalanceAsync(w.Requester));
        Revert.Is(await w.Chain.RevertsAsync(w.Requester, w.Registry, new WithdrawCompensationFunction()), "NothingToWithdraw");
        await w.Chain.SendAsync(w.Treasury, w.Registry, new WithdrawCompensationFunction());
        Assert.Equal(new BigInteger(MinBond - 2000), await w.TokenBalanceAsync(w.Registry));
    }

    [Fact]
    public async Task SetAttestation_records_the_hash_and_emits_AttestationSet()
    {
        var w = await CreateAsync();
        var hash = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var set = (await w.Chain.SendAsync(w.Provider, w.Registry, new SetAttestationFunction { Attestation = hash })).Event<AttestationSetEvent>();
        Revert.SameAddress(w.Provider, set.Provider);
        Assert.Equal(hash, set.Attestation);
        Assert.Equal(hash, (await w.StakeAsync(w.Provider)).Attestation);
    }
}
