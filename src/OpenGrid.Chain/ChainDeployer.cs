using Nethereum.Web3;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Receipts;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Reputation;
using OpenGrid.Chain.Token;
using OpenGrid.Core;

namespace OpenGrid.Chain;

/// <summary>What a deployment needs besides the deploying account (which becomes admin of every contract).</summary>
public sealed record DeploymentPlan(string Treasury, string Coordinator)
{
    /// <summary>An existing token to settle in; null deploys TestUSDC (dev/test only).</summary>
    public string? Token { get; init; }

    public TokenAmount MinBond { get; init; } = TokenAmount.FromBaseUnits(10 * TokenAmount.UnitsPerToken);
    public TimeSpan UnbondDelay { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Share of a slash owed to the harmed requester, in basis points. Default 50%.</summary>
    public ushort HarmedShareBps { get; init; } = 5_000;
    public TimeSpan CloseGrace { get; init; } = TimeSpan.FromDays(1);
}

/// <summary>
/// Deploys the OpenGrid contracts (token unless given, escrow, registry, reputation, receipt verifier) and grants the
/// coordinator its roles (operator, verifier, validator).
/// </summary>
public static class ChainDeployer
{
    public static async Task<ChainContracts> DeployAsync(IWeb3 web3, DeploymentPlan plan, CancellationToken cancellationToken)
    {
        var admin = web3.TransactionManager.Account?.Address
            ?? throw new InvalidOperationException("deploying needs a Web3 created with a signing account");
        var token = plan.Token is null
            ? await TokenClient.DeployTestUsdcAsync(web3, cancellationToken).ConfigureAwait(false)
            : new TokenClient(web3, plan.Token);
        var escrow = await EscrowClient.DeployAsync(web3, admin, token.Address, plan.Treasury, plan.CloseGrace, cancellationToken).ConfigureAwait(false);
        var registry = await RegistryClient.DeployAsync(
            web3, admin, token.Address, plan.Treasury, plan.MinBond, plan.UnbondDelay, plan.HarmedShareBps, cancellationToken).ConfigureAwait(false);
        var reputation = await ReputationClient.DeployAsync(web3, admin, cancellationToken).ConfigureAwait(false);
        var receiptVerifier = await ReceiptVerifierClient.DeployAsync(web3, cancellationToken).ConfigureAwait(false);

        await escrow.GrantOperatorAsync(plan.Coordinator, cancellationToken).ConfigureAwait(false);
        await registry.GrantVerifierAsync(plan.Coordinator, cancellationToken).ConfigureAwait(false);
        await reputation.GrantValidatorAsync(plan.Coordinator, cancellationToken).ConfigureAwait(false);
        return new ChainContracts(token, escrow, registry, reputation, receiptVerifier);
    }
}
