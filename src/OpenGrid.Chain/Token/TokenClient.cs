using System.Numerics;
using Nethereum.Web3;
using OpenGrid.Core;

namespace OpenGrid.Chain.Token;

/// <summary>Typed client of the settlement token (TestUSDC in development; any 6-decimal ERC20 otherwise).</summary>
public sealed class TokenClient(IWeb3 web3, string address) : ContractClient(web3, address)
{
    /// <summary>Deploys TestUSDC (dev/test only: its faucet is open).</summary>
    public static async Task<TokenClient> DeployTestUsdcAsync(IWeb3 web3, CancellationToken cancellationToken) =>
        new(web3, await DeployAsync(web3, new TestUsdcDeployment(), cancellationToken).ConfigureAwait(false));

    /// <summary>TestUSDC faucet: mints to <paramref name="to"/>.</summary>
    public Task<TxOutcome> MintAsync(string to, TokenAmount amount, CancellationToken cancellationToken) =>
        SendAsync(new MintFunction { To = to, Amount = ChainAmount.ToWire(amount) }, cancellationToken);

    public Task<TxOutcome> ApproveAsync(string spender, TokenAmount amount, CancellationToken cancellationToken) =>
        SendAsync(new ApproveFunction { Spender = spender, Value = ChainAmount.ToWire(amount) }, cancellationToken);

    public Task<TxOutcome> TransferAsync(string to, TokenAmount amount, CancellationToken cancellationToken) =>
        SendAsync(new TransferFunction { To = to, Value = ChainAmount.ToWire(amount) }, cancellationToken);

    public async Task<TokenAmount> BalanceOfAsync(string account, CancellationToken cancellationToken) =>
        ChainAmount.FromWire(await QueryAsync<BalanceOfFunction, BigInteger>(new() { Account = account }, cancellationToken).ConfigureAwait(false));

    public async Task<TokenAmount> AllowanceAsync(string owner, string spender, CancellationToken cancellationToken) =>
        ChainAmount.FromWire(await QueryAsync<AllowanceFunction, BigInteger>(new() { Owner = owner, Spender = spender }, cancellationToken).ConfigureAwait(false));

    public Task<byte> DecimalsAsync(CancellationToken cancellationToken) =>
        QueryAsync<DecimalsFunction, byte>(new(), cancellationToken);
}
