using Nethereum.JsonRpc.Client;
using OpenGrid.Chain;
using OpenGrid.Core;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.Cli.Payments;

/// <summary>
/// The user's own account on the coordinator's chain: where the contracts are comes from <c>GET /v1/chain</c>, the
/// key from <c>$OPENGRID_HOME/key.json</c>, and every transaction is signed here — the coordinator never holds a
/// requester's money. Chain errors become one line and an exit code.
/// </summary>
internal sealed class UserWallet
{
    private UserWallet(ChainView chain, string rpcUrl, ChainContracts contracts, string address)
    {
        Chain = chain;
        RpcUrl = rpcUrl;
        Contracts = contracts;
        Address = address;
    }

    public ChainView Chain { get; }
    public string RpcUrl { get; }
    public ChainContracts Contracts { get; }
    public string Address { get; }

    /// <summary>Asks the coordinator where its chain is, and connects to it (or to <paramref name="rpcOverride"/>) as the user.</summary>
    public static async Task<UserWallet> OpenAsync(CliContext ctx, OpenGridClient coordinator, string? rpcOverride, CancellationToken ct)
    {
        var chain = await ChainOfAsync(coordinator, ct);
        var rpc = string.IsNullOrWhiteSpace(rpcOverride) ? chain.RpcUrl : rpcOverride;
        if (!Uri.TryCreate(rpc, UriKind.Absolute, out _))
            throw CliException.InvalidInput($"--rpc: '{rpc}' is not a URL; give the chain's JSON-RPC endpoint, e.g. http://127.0.0.1:8545");
        var keyFile = Path.Combine(ctx.Env.Home, KeyStore.KeyFileName);
        if (!File.Exists(keyFile))
            throw new CliException($"no account key at {keyFile}; run any og command against a grid once to create it", ExitCodes.Auth);
        var account = ChainKeyFile.Load(keyFile, chain.ChainId);
        var web3 = ChainConnection.CreateWeb3(account, rpc);
        var reported = await GuardAsync(rpc, async () => (await web3.Eth.ChainId.SendRequestAsync().WaitAsync(ct)).Value);
        if (reported != chain.ChainId)
            throw new CliException($"the node at {rpc} is on chain {reported}, but the coordinator settles on chain {chain.ChainId}; fix --rpc", ExitCodes.InvalidInput);
        var contracts = ChainContracts.At(web3, new ChainDeployment(chain.Token, chain.Escrow, chain.Registry, chain.Reputation,
            chain.ReceiptVerifier ?? ChainAddress.Zero));
        return new UserWallet(chain, rpc, contracts, account.Address);
    }

    /// <summary>The coordinator's chain, or a one-line error (exit 3) when it settles no payments.</summary>
    public static Task<ChainView> ChainOfAsync(OpenGridClient coordinator, CancellationToken ct) =>
        SettledAsync(coordinator, () => coordinator.GetChainAsync(ct));

    /// <summary>The signed-in account's balances, or a one-line error (exit 3) when the coordinator settles no payments.</summary>
    public static Task<BalanceView> BalanceAsync(OpenGridClient coordinator, CancellationToken ct) =>
        SettledAsync(coordinator, () => coordinator.GetBalanceAsync(ct));

    private static async Task<T> SettledAsync<T>(OpenGridClient coordinator, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (OpenGridApiException e) when (e.Code == ErrorCodes.ChainNotConfigured)
        {
            throw new CliException(
                $"the coordinator at {coordinator.BaseAddress} settles no payments: no chain is configured " +
                "(start it with --Coordinator:Chain:RpcUrl=… and the contract settings, see docs/payments.md; og dev does this when anvil is installed)",
                ExitCodes.NotFound);
        }
    }

    /// <summary>Runs a chain call, turning a revert, a refusal by the node or an unreachable node into a <see cref="CliException"/>.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> call) => GuardAsync(RpcUrl, call);

    private static async Task<T> GuardAsync<T>(string rpc, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ContractRevertException e)
        {
            throw new CliException($"the contract refused: {e.Message} ({e.Code})", ExitCodes.Failure);
        }
        catch (RpcResponseException e)
        {
            throw new CliException($"the chain node at {rpc} refused the transaction: {e.RpcError?.Message ?? e.Message}" +
                " (an account needs ETH for gas)", ExitCodes.Failure);
        }
        catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException)
        {
            throw new CliException($"cannot reach the chain node at {rpc}: {e.Message}", ExitCodes.CoordinatorUnreachable);
        }
    }

    /// <summary>Parses an AMOUNT argument: a positive number of tokens with at most 6 decimals.</summary>
    public static TokenAmount ParseAmount(string text)
    {
        if (!TokenAmount.TryParse(text, out var amount))
            throw CliException.InvalidInput($"AMOUNT: '{text}' is not an amount of USDC with at most {TokenAmount.Decimals} decimals, e.g. 10 or 0.25");
        if (amount.BaseUnits <= 0)
            throw CliException.InvalidInput("AMOUNT must be more than 0");
        return amount;
    }
}
