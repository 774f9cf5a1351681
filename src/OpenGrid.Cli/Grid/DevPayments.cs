using System.Globalization;
using System.Text.Json;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using OpenGrid.Chain;
using OpenGrid.Chain.Dev;
using OpenGrid.Chain.Receipts;
using OpenGrid.Cli.Output;
using OpenGrid.Core;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.Cli.Grid;

/// <summary>
/// Payments for <c>og dev</c>: a local anvil (state in <c>&lt;data&gt;/chain/</c>, kept across restarts), the contracts
/// deployed once, the dev requester and the coordinator's canary accounts funded (wallet and escrow) and both dev
/// providers bonded, and the settings that switch settlement on in the coordinator. Dev account 0 deploys, 1 is the
/// coordinator's operator key, 2 the treasury; the canary accounts are fresh keys in <c>canary-keys.json</c>.
/// </summary>
internal sealed class DevPayments : IAsyncDisposable
{
    private const int AdminIndex = 0, CoordinatorIndex = 1, TreasuryIndex = 2;

    /// <summary>How many canary accounts og dev creates: a small pool, so canary leases do not all come from one address.</summary>
    private const int CanaryAccountCount = 3;
    private static readonly TokenAmount RequesterMint = TokenAmount.FromBaseUnits(1_000 * TokenAmount.UnitsPerToken);
    private static readonly TokenAmount RequesterDeposit = TokenAmount.FromBaseUnits(100 * TokenAmount.UnitsPerToken);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly DevChain _chain;

    private DevPayments(DevChain chain, ChainDeployment addresses, string keyFile, string canaryKeyFile)
    {
        _chain = chain;
        Addresses = addresses;
        KeyFile = keyFile;
        CanaryKeyFile = canaryKeyFile;
    }

    public ChainDeployment Addresses { get; }
    public string KeyFile { get; }

    /// <summary>The canary accounts' keys, <c>{"privateKeys": [...]}</c>: the coordinator submits and pays canaries as them.</summary>
    public string CanaryKeyFile { get; }
    public string RpcUrl => _chain.RpcUrl;
    public int Pid => _chain.ProcessId;

    /// <summary>Completes with anvil's exit code when the dev chain exits.</summary>
    public Task<int> ChainExited => _chain.Exited;

    /// <summary>The coordinator's command-line settings that switch settlement on.</summary>
    public IEnumerable<string> CoordinatorArguments =>
    [
        $"--Coordinator:Chain:RpcUrl={_chain.RpcUrl}",
        $"--Coordinator:Chain:ChainId={DevChain.ChainId.ToString(CultureInfo.InvariantCulture)}",
        $"--Coordinator:Chain:TokenAddress={Addresses.Token}",
        $"--Coordinator:Chain:EscrowAddress={Addresses.Escrow}",
        $"--Coordinator:Chain:RegistryAddress={Addresses.Registry}",
        $"--Coordinator:Chain:ReputationAddress={Addresses.Reputation}",
        $"--Coordinator:Chain:ReceiptVerifierAddress={Addresses.ReceiptVerifier}",
        $"--Coordinator:Chain:KeyFile={KeyFile}",
        $"--Coordinator:Trust:CanaryKeyFile={CanaryKeyFile}",
    ];

    /// <summary>
    /// Starts anvil and sets everything up; null (payments off, said on screen) when anvil is not installed, so that
    /// og dev still runs without it.
    /// </summary>
    public static async Task<DevPayments?> StartAsync(CliContext ctx, string dataDir, IReadOnlyList<string> providerHomes, CancellationToken ct)
    {
        try
        {
            DevChain.LocateAnvil();
        }
        catch (FileNotFoundException e)
        {
            ctx.Stdout.WriteLine($"payments are off: {e.Message}");
            return null;
        }

        var dir = Path.Combine(dataDir, "chain");
        Directory.CreateDirectory(dir);
        var chain = await DevChain.StartAsync(new DevChainOptions
        {
            StateFile = Path.Combine(dir, "anvil-state.json"),
            // A clean stop saves the state (DisposeAsync); the interval bounds what a crash loses. anvil rewrites the
            // whole state (every block so far: megabytes after a few hundred jobs) each time, so every second it was
            // the grid's largest idle cost, on the cores a local provider's jobs use (docs/benchmarks.md).
            StateInterval = TimeSpan.FromSeconds(10),
        }, ct);
        try
        {
            ctx.Stdout.WriteLine($"started anvil on {chain.RpcUrl} (pid {chain.ProcessId}, state in {dir})");
            var addresses = await DeployOnceAsync(ctx, chain, Path.Combine(dir, "deployment.json"), ct);
            var keyFile = Path.Combine(dir, "coordinator-key.json");
            WriteKeyFile(keyFile, chain.PrivateKeys[CoordinatorIndex]);
            var canaryKeyFile = Path.Combine(dir, "canary-keys.json");
            var canaryKeys = CanaryKeysOnce(canaryKeyFile);
            var payments = new DevPayments(chain, addresses, keyFile, canaryKeyFile);
            await payments.FundRequesterAsync(ctx, ctx.Env.Home, ct);
            await payments.FundCanariesAsync(ctx, canaryKeys, ct);
            foreach (var home in providerHomes)
                await payments.BondProviderAsync(ctx, home, ct);
            return payments;
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until the example job's lease is closed on chain (nothing locked, the provider paid), then prints
    /// <c>og balance</c> for the requester and the provider that ran it.
    /// </summary>
    public async Task PrintBalancesAsync(CliContext ctx, Uri coordinator, JobView job, IReadOnlyList<(string Name, string Home)> providers, CancellationToken ct)
    {
        var requester = ctx.CreateClient(coordinator);
        var ran = providers.FirstOrDefault(p => string.Equals(KeyStore.LoadOrCreate(p.Home).Address.Value, job.Provider, StringComparison.OrdinalIgnoreCase));
        var provider = ran.Home is null ? null : ctx.CreateClient(coordinator, KeyStore.LoadOrCreate(ran.Home));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(SettleTimeout);
        BalanceView mine, theirs;
        try
        {
            while (true)
            {
                mine = await requester.GetBalanceAsync(timeout.Token);
                theirs = provider is null ? mine : await provider.GetBalanceAsync(timeout.Token);
                if (mine.Locked == "0.000000" && (provider is null || theirs.Earnings != "0.000000"))
                    break;
                await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            ctx.Error($"the example's payment did not settle within {SettleTimeout.TotalSeconds:0} s; see the coordinator log");
            return;
        }
        ctx.Stdout.WriteLine();
        ctx.Stdout.WriteLine($"the example is paid for: og balance (you, the requester)");
        BalancePrinter.Write(ctx.Stdout, mine, "  ");
        if (provider is not null)
        {
            ctx.Stdout.WriteLine($"og balance as {ran.Name} (OPENGRID_HOME={Formats.DisplayPath(ran.Home!, ctx.Env.CurrentDirectory)})");
            BalancePrinter.Write(ctx.Stdout, theirs, "  ");
        }
    }

    private static async Task<ChainDeployment> DeployOnceAsync(CliContext ctx, DevChain chain, string file, CancellationToken ct)
    {
        if (File.Exists(file))
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file));
            if (saved is not null && saved.TryGetValue("escrow", out var escrow) && await HasCodeAsync(chain, escrow, ct))
            {
                // A data dir from before the receipt verifier was deployed: add it, keep the rest (and its balances).
                if (!saved.TryGetValue("receiptVerifier", out var verifier) || !await HasCodeAsync(chain, verifier, ct))
                {
                    verifier = (await ReceiptVerifierClient.DeployAsync(chain.Web3(AdminIndex), ct)).Address;
                    ctx.Stdout.WriteLine($"deployed the receipt verifier: {verifier}");
                }
                var kept = new ChainDeployment(saved["token"], escrow, saved["registry"], saved["reputation"], verifier);
                Save(file, kept);
                return kept;
            }
        }
        var plan = new DeploymentPlan(chain.Account(TreasuryIndex).Address, chain.Account(CoordinatorIndex).Address);
        var deployed = (await ChainDeployer.DeployAsync(chain.Web3(AdminIndex), plan, ct)).Addresses;
        Save(file, deployed);
        ctx.Stdout.WriteLine($"deployed the contracts: escrow {deployed.Escrow}, token {deployed.Token}, receipt verifier {deployed.ReceiptVerifier}");
        return deployed;

        static async Task<bool> HasCodeAsync(DevChain chain, string address, CancellationToken ct) =>
            await chain.Web3(AdminIndex).Eth.GetCode.SendRequestAsync(address).WaitAsync(ct) is { Length: > 2 };

        static void Save(string file, ChainDeployment d) => File.WriteAllText(file, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["token"] = d.Token, ["escrow"] = d.Escrow, ["registry"] = d.Registry, ["reputation"] = d.Reputation,
            ["receiptVerifier"] = d.ReceiptVerifier,
        }));
    }

    /// <summary>Tops the requester up to 100 USDC in escrow (and 1000 in its wallet, for og deposit) when it has less.</summary>
    private async Task FundRequesterAsync(CliContext ctx, string home, CancellationToken ct)
    {
        var (requester, contracts) = await AccountAsync(home, ct);
        var balances = await contracts.Escrow.GetBalancesAsync(requester.Address.Value, ct);
        if (balances.Available.CompareTo(RequesterDeposit) >= 0)
            return;
        await contracts.Token.MintAsync(requester.Address.Value, RequesterMint, ct);
        await contracts.Token.ApproveAsync(contracts.Escrow.Address, RequesterDeposit, ct);
        await contracts.Escrow.DepositAsync(RequesterDeposit, ct);
        ctx.Stdout.WriteLine($"funded the dev requester {requester.Address}: {RequesterDeposit} USDC in escrow, more in its wallet");
    }

    /// <summary>
    /// Tops each canary account up to 100 USDC in escrow, as the dev requester: canaries are paid like real jobs, from
    /// these accounts' deposits (docs/trust.md).
    /// </summary>
    private async Task FundCanariesAsync(CliContext ctx, IReadOnlyList<string> privateKeys, CancellationToken ct)
    {
        var funded = 0;
        foreach (var key in privateKeys)
        {
            var account = new Nethereum.Web3.Accounts.Account(key, DevChain.ChainId);
            var contracts = await ContractsAsync(account, ct);
            var address = account.Address;
            if ((await contracts.Escrow.GetBalancesAsync(address, ct)).Available.CompareTo(RequesterDeposit) >= 0)
                continue;
            await contracts.Token.MintAsync(address, RequesterDeposit, ct);
            await contracts.Token.ApproveAsync(contracts.Escrow.Address, RequesterDeposit, ct);
            await contracts.Escrow.DepositAsync(RequesterDeposit, ct);
            funded++;
        }
        if (funded > 0)
            ctx.Stdout.WriteLine($"funded {funded} canary account(s) of the coordinator: {RequesterDeposit} USDC each in escrow");
    }

    /// <summary>The canary accounts' private keys from <paramref name="file"/>, written once (mode 0600) with fresh keys.</summary>
    private static IReadOnlyList<string> CanaryKeysOnce(string file)
    {
        if (File.Exists(file))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (doc.RootElement.TryGetProperty("privateKeys", out var keys) && keys.ValueKind == JsonValueKind.Array && keys.GetArrayLength() > 0)
                return [.. keys.EnumerateArray().Select(k => k.GetString()!)];
        }
        var fresh = Enumerable.Range(0, CanaryAccountCount).Select(_ => Nethereum.Signer.EthECKey.GenerateKey().GetPrivateKey()).ToList();
        WriteSecret(file, new Dictionary<string, IReadOnlyList<string>> { ["privateKeys"] = fresh });
        return fresh;
    }

    private async Task BondProviderAsync(CliContext ctx, string home, CancellationToken ct)
    {
        var (provider, contracts) = await AccountAsync(home, ct);
        if (await contracts.Registry.IsBondedAsync(provider.Address.Value, ct))
            return;
        var minBond = await contracts.Registry.MinBondAsync(ct);
        await contracts.Token.MintAsync(provider.Address.Value, minBond, ct);
        await contracts.Token.ApproveAsync(contracts.Registry.Address, minBond, ct);
        await contracts.Registry.BondAsync(minBond, ct);
        ctx.Stdout.WriteLine($"bonded the dev provider {provider.Address}: {minBond} USDC");
    }

    /// <summary>The og account in <paramref name="home"/> (its key.json, created if missing) with 100 ETH for gas, and
    /// contract clients signing as it.</summary>
    private async Task<(Identity Identity, ChainContracts Contracts)> AccountAsync(string home, CancellationToken ct)
    {
        var identity = KeyStore.LoadOrCreate(home);
        var account = ChainKeyFile.Load(Path.Combine(home, KeyStore.KeyFileName), DevChain.ChainId);
        return (identity, await ContractsAsync(account, ct));
    }

    /// <summary>Contract clients signing as <paramref name="account"/>, after giving it 100 ETH for gas.</summary>
    private async Task<ChainContracts> ContractsAsync(Nethereum.Web3.Accounts.Account account, CancellationToken ct)
    {
        await _chain.Web3(AdminIndex).Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", account.Address,
            new HexBigInteger(System.Numerics.BigInteger.Pow(10, 20)).HexValue)).WaitAsync(ct);
        return ChainContracts.At(ChainConnection.CreateWeb3(account, _chain.RpcUrl), Addresses);
    }

    private static void WriteKeyFile(string path, string privateKey) =>
        WriteSecret(path, new Dictionary<string, string> { ["privateKey"] = privateKey });

    /// <summary>Writes <paramref name="content"/> as JSON to a file only its owner can read (mode 0600).</summary>
    private static void WriteSecret<T>(string path, T content)
    {
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        JsonSerializer.Serialize(stream, content);
    }

    /// <summary>Stops anvil politely (SIGTERM, so it saves its state), then for good.</summary>
    public async ValueTask DisposeAsync()
    {
        if (ProcessSignals.Terminate(_chain.ProcessId))
        {
            for (var i = 0; i < 30 && ProcessSignals.IsAlive(_chain.ProcessId); i++)
                await Task.Delay(TimeSpan.FromMilliseconds(100), None);
        }
        await _chain.DisposeAsync();
    }
}
