using System.Numerics;
using Nethereum.Web3;
using OpenGrid.Chain.Access;
using OpenGrid.Core;

namespace OpenGrid.Chain.Registry;

/// <summary>A provider's stake: bonded, waiting to unbond (withdrawable from <see cref="UnbondReadyAt"/>), attestation hash.</summary>
public sealed record ProviderStake(TokenAmount Bonded, TokenAmount Unbonding, DateTimeOffset UnbondReadyAt, byte[] Attestation);

/// <summary>Typed client of ProviderRegistry: bonds, unbonding, slashing, attestation.</summary>
public sealed class RegistryClient(IWeb3 web3, string address) : ContractClient(web3, address)
{
    /// <summary>Deploys ProviderRegistry with <paramref name="admin"/> holding DEFAULT_ADMIN_ROLE.</summary>
    public static async Task<RegistryClient> DeployAsync(
        IWeb3 web3, string admin, string token, string treasury, TokenAmount minBond, TimeSpan unbondDelay,
        ushort harmedShareBps, CancellationToken cancellationToken)
    {
        var address = await DeployAsync(web3, new ProviderRegistryDeployment
        {
            Admin = admin, Token = token, Treasury = treasury, MinBond = ChainAmount.ToWire(minBond),
            UnbondDelay = (ulong)unbondDelay.TotalSeconds, HarmedShareBps = harmedShareBps,
        }, cancellationToken).ConfigureAwait(false);
        return new RegistryClient(web3, address);
    }

    /// <summary>Bonds from the signing account (approve the registry on the token first).</summary>
    public Task<TxOutcome> BondAsync(TokenAmount amount, CancellationToken cancellationToken) =>
        SendAsync(new BondFunction { Amount = ChainAmount.ToWire(amount) }, cancellationToken);

    public Task<TxOutcome> RequestUnbondAsync(TokenAmount amount, CancellationToken cancellationToken) =>
        SendAsync(new RequestUnbondFunction { Amount = ChainAmount.ToWire(amount) }, cancellationToken);

    public Task<TxOutcome> WithdrawUnbondedAsync(CancellationToken cancellationToken) =>
        SendAsync(new WithdrawUnbondedFunction(), cancellationToken);

    /// <summary>Verifier: slashes <paramref name="amount"/>; <paramref name="harmedRequester"/> null pays the treasury only.</summary>
    public Task<TxOutcome> SlashAsync(string provider, TokenAmount amount, string? harmedRequester, string reason, CancellationToken cancellationToken) =>
        SendAsync(new SlashFunction
        {
            Provider = provider, Amount = ChainAmount.ToWire(amount),
            HarmedRequester = harmedRequester ?? "0x0000000000000000000000000000000000000000", Reason = reason,
        }, cancellationToken);

    public Task<TxOutcome> WithdrawCompensationAsync(CancellationToken cancellationToken) =>
        SendAsync(new WithdrawCompensationFunction(), cancellationToken);

    /// <summary>Records the hash (32 bytes) of the signing provider's attestation document.</summary>
    public Task<TxOutcome> SetAttestationAsync(byte[] attestationHash, CancellationToken cancellationToken) =>
        SendAsync(new SetAttestationFunction { Attestation = attestationHash }, cancellationToken);

    /// <summary>Admin: lets <paramref name="account"/> slash.</summary>
    public Task<TxOutcome> GrantVerifierAsync(string account, CancellationToken cancellationToken) =>
        SendAsync(new GrantRoleFunction { Role = Roles.Verifier, Account = account }, cancellationToken);

    /// <summary>Whether a <c>Slashed</c> event of <paramref name="provider"/> carries exactly <paramref name="reason"/> (a slash is keyed by its reason).</summary>
    public async Task<bool> WasSlashedForAsync(string provider, string reason, CancellationToken cancellationToken)
    {
        var slashed = Web3.Eth.GetEvent<SlashedEvent>(Address);
        var filter = slashed.CreateFilterInput(provider, Nethereum.RPC.Eth.DTOs.BlockParameter.CreateEarliest(),
            Nethereum.RPC.Eth.DTOs.BlockParameter.CreateLatest());
        var logs = await slashed.GetAllChangesAsync(filter).WaitAsync(cancellationToken).ConfigureAwait(false);
        return logs.Any(l => l.Event.Reason == reason);
    }

    public Task<bool> IsBondedAsync(string provider, CancellationToken cancellationToken) =>
        QueryAsync<IsBondedFunction, bool>(new() { Provider = provider }, cancellationToken);

    public async Task<ProviderStake> GetStakeAsync(string provider, CancellationToken cancellationToken)
    {
        var s = await QueryDtoAsync<StakesFunction, StakeOutput>(new() { Provider = provider }, cancellationToken).ConfigureAwait(false);
        return new ProviderStake(ChainAmount.FromWire(s.Bonded), ChainAmount.FromWire(s.Unbonding),
            DateTimeOffset.FromUnixTimeSeconds((long)s.UnbondReadyAt), s.Attestation);
    }

    public async Task<TokenAmount> CompensationOfAsync(string account, CancellationToken cancellationToken) =>
        ChainAmount.FromWire(await QueryAsync<CompensationOfFunction, BigInteger>(new() { Account = account }, cancellationToken).ConfigureAwait(false));

    public async Task<TokenAmount> MinBondAsync(CancellationToken cancellationToken) =>
        ChainAmount.FromWire(await QueryAsync<MinBondFunction, BigInteger>(new(), cancellationToken).ConfigureAwait(false));
}
