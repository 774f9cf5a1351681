using Nethereum.RPC.NonceServices;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Receipts;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Reputation;
using OpenGrid.Chain.Token;

namespace OpenGrid.Chain;

/// <summary>The contract clients over one signing account and one node.</summary>
public sealed record ChainContracts(
    TokenClient Token, EscrowClient Escrow, RegistryClient Registry, ReputationClient Reputation, ReceiptVerifierClient ReceiptVerifier)
{
    public ChainDeployment Addresses => new(Token.Address, Escrow.Address, Registry.Address, Reputation.Address, ReceiptVerifier.Address);

    public static ChainContracts At(IWeb3 web3, ChainDeployment d) =>
        new(new TokenClient(web3, d.Token), new EscrowClient(web3, d.Escrow),
            new RegistryClient(web3, d.Registry), new ReputationClient(web3, d.Reputation), new ReceiptVerifierClient(web3, d.ReceiptVerifier));
}

/// <summary>Addresses of a deployment of the OpenGrid contracts.</summary>
public sealed record ChainDeployment(string Token, string Escrow, string Registry, string Reputation, string ReceiptVerifier);

/// <summary>Connects to the node named by <see cref="ChainOptions"/> with the key from its key file.</summary>
public static class ChainConnection
{
    /// <summary>
    /// A Web3 that signs with <paramref name="account"/> for its chain id. Nonces are tracked in memory, so
    /// concurrent sends from this process do not collide; use one such Web3 per key.
    /// </summary>
    public static IWeb3 CreateWeb3(Account account, string rpcUrl)
    {
        var web3 = new Web3(account, rpcUrl);
        account.NonceService = new InMemoryNonceService(account.Address, web3.Client);
        return web3;
    }

    /// <summary>Validates the options, loads the key, checks the node's chain id and returns the clients.</summary>
    /// <exception cref="InvalidOperationException">A setting is wrong or the node is on another chain.</exception>
    public static async Task<ChainContracts> ConnectAsync(ChainOptions options, CancellationToken cancellationToken)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        var web3 = CreateWeb3(ChainKeyFile.Load(options.KeyFile!, options.ChainId), options.RpcUrl);
        var chainId = (await web3.Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false)).Value;
        if (chainId != options.ChainId)
            throw new InvalidOperationException(
                $"{ChainOptions.SectionName}:ChainId is {options.ChainId} but the node at {options.RpcUrl} reports {chainId}; fix one of them");
        return ChainContracts.At(web3, new ChainDeployment(
            options.TokenAddress!, options.EscrowAddress!, options.RegistryAddress!, options.ReputationAddress!, options.ReceiptVerifierAddress!));
    }
}
