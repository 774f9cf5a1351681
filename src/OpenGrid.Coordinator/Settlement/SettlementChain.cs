using Nethereum.Web3.Accounts;
using OpenGrid.Chain;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>The coordinator's connection to the chain: its contract clients, signing as the escrow operator.</summary>
public sealed record ChainSession(ChainContracts Contracts, Account Account, Nethereum.Web3.IWeb3 Web3)
{
    public string Operator => Account.Address;

    /// <summary>
    /// Returns once <paramref name="tx"/> is <paramref name="confirmations"/> blocks deep (1: its own block, at once)
    /// and still in the block it was mined in; throws when a reorganisation dropped or moved it, so the caller reads
    /// the chain before sending again.
    /// </summary>
    public async Task AwaitConfirmationsAsync(TxOutcome tx, int confirmations, TimeSpan poll, TimeProvider time, CancellationToken ct)
    {
        if (confirmations <= 1)
            return;
        var depth = (ulong)(confirmations - 1);
        while ((ulong)(await Web3.Eth.Blocks.GetBlockNumber.SendRequestAsync().WaitAsync(ct)).Value < tx.BlockNumber + depth)
            await Task.Delay(poll, time, ct);
        var receipt = await Web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(tx.TransactionHash).WaitAsync(ct);
        if (receipt is null || (ulong)receipt.BlockNumber.Value != tx.BlockNumber)
            throw new InvalidOperationException($"transaction {tx.TransactionHash} left block {tx.BlockNumber} before {confirmations} confirmations (a reorganisation)");
    }

    /// <summary>Forgets the in-memory nonce, so the next send asks the node: a send that failed midway may have left a gap.</summary>
    public Task ResetNonceAsync() => Account.NonceService?.ResetNonceAsync() ?? Task.CompletedTask;
}

/// <summary>
/// Whether settlement is on (<c>Coordinator:Chain:RpcUrl</c> is set) and, when it is, one shared
/// <see cref="ChainSession"/>: connected on first use, checked (chain id, operator role), and connected again after
/// a failed attempt. One process, one signing key, one nonce tracker.
/// </summary>
public sealed class SettlementChain
{
    public const string ConfigurationSection = "Coordinator:Chain";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private Task<ChainSession>? _session;

    public SettlementChain(bool enabled, ChainOptions options)
    {
        Enabled = enabled;
        Options = options;
    }

    public bool Enabled { get; }

    public ChainOptions Options { get; }

    /// <summary>Settlement is on when the configuration names an RPC URL.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{ConfigurationSection}:{nameof(ChainOptions.RpcUrl)}"]);

    /// <summary>The operator's address, read from the key file without touching the chain.</summary>
    public string OperatorAddress => ChainKeyFile.Load(Options.KeyFile!, Options.ChainId).Address;

    /// <exception cref="InvalidOperationException">Settlement is off, a setting is wrong, or the node is on another chain.</exception>
    public Task<ChainSession> ConnectAsync(CancellationToken ct)
    {
        if (!Enabled)
            throw new InvalidOperationException($"settlement is off: {ConfigurationSection}:RpcUrl is not set");
        lock (_gate)
        {
            if (_session is null || _session.IsFaulted || _session.IsCanceled)
                _session = ConnectCoreAsync();
            return _session.WaitAsync(ct);
        }
    }

    private async Task<ChainSession> ConnectCoreAsync()
    {
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        var errors = Options.Validate();
        if (errors.Count > 0)
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors.Select(e => "Coordinator:" + e)));
        var account = ChainKeyFile.Load(Options.KeyFile!, Options.ChainId);
        var web3 = ChainConnection.CreateWeb3(account, Options.RpcUrl);
        var chainId = (await web3.Eth.ChainId.SendRequestAsync().WaitAsync(timeout.Token)).Value;
        if (chainId != Options.ChainId)
            throw new InvalidOperationException(
                $"{ConfigurationSection}:ChainId is {Options.ChainId} but the node at {Options.RpcUrl} reports {chainId}; fix one of them");
        var contracts = ChainContracts.At(web3, new ChainDeployment(
            Options.TokenAddress!, Options.EscrowAddress!, Options.RegistryAddress!, Options.ReputationAddress!, Options.ReceiptVerifierAddress!));
        if (!await contracts.Escrow.IsOperatorAsync(account.Address, timeout.Token))
            throw new InvalidOperationException(
                $"the coordinator's account {account.Address} (from {ConfigurationSection}:KeyFile) is not an operator of the escrow at " +
                $"{Options.EscrowAddress}; grant it OPERATOR_ROLE (ChainDeployer does) or point KeyFile at the operator's key");
        return new ChainSession(contracts, account, web3);
    }
}
