using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.Signer;
using Nethereum.Web3.Accounts;
using OpenGrid.Chain;
using OpenGrid.Chain.Dev;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Coordinator.Tests.Api;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>An account on the chain: its OpenGrid identity (signs in to the coordinator) and its contract clients.</summary>
public sealed record ChainAccount(Identity Identity, Account Account, ChainContracts Contracts)
{
    public string Address => Account.Address;
}

/// <summary>
/// Freshly deployed contracts (dev account 0 deploys, account 1 is the coordinator's operator key, account 2 the
/// treasury), the coordinator's settings pointing at them (with a canary account whose key it holds, with gas and no
/// deposit), and new funded accounts on demand.
/// </summary>
public sealed class ChainHarness : IDisposable
{
    public const int AdminIndex = 0, CoordinatorIndex = 1, TreasuryIndex = 2;
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly DevChain _chain;
    private readonly TempDir _dir = new("opengrid-settlement");

    private ChainHarness(DevChain chain, ChainDeployment addresses)
    {
        _chain = chain;
        Addresses = addresses;
        KeyFile = _dir.Combine("coordinator-key.json");
        File.WriteAllText(KeyFile, JsonSerializer.Serialize(new Dictionary<string, string> { ["privateKey"] = chain.PrivateKeys[CoordinatorIndex] }));
        CanaryKeyFile = _dir.Combine("canary-keys.json");
        Treasury = ChainContracts.At(chain.Web3(TreasuryIndex), addresses);
        TreasuryAddress = chain.Account(TreasuryIndex).Address;
    }

    public ChainDeployment Addresses { get; }
    public string KeyFile { get; }

    /// <summary>The coordinator's canary accounts' keys (<c>Coordinator:Trust:CanaryKeyFile</c>): <see cref="Canary"/>'s.</summary>
    public string CanaryKeyFile { get; }

    /// <summary>The canary account the coordinator submits and pays canaries as: gas, no deposit until a test makes one.</summary>
    public ChainAccount Canary { get; private set; } = null!;
    public ChainContracts Treasury { get; }
    public string TreasuryAddress { get; }

    /// <summary>The settings that switch settlement on against these contracts.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Coordinator:Chain:RpcUrl"] = _chain.RpcUrl,
        ["Coordinator:Chain:ChainId"] = DevChain.ChainId.ToString(CultureInfo.InvariantCulture),
        ["Coordinator:Chain:TokenAddress"] = Addresses.Token,
        ["Coordinator:Chain:EscrowAddress"] = Addresses.Escrow,
        ["Coordinator:Chain:RegistryAddress"] = Addresses.Registry,
        ["Coordinator:Chain:ReputationAddress"] = Addresses.Reputation,
        ["Coordinator:Chain:ReceiptVerifierAddress"] = Addresses.ReceiptVerifier,
        ["Coordinator:Chain:KeyFile"] = KeyFile,
        ["Coordinator:Trust:CanaryKeyFile"] = CanaryKeyFile,
        ["Coordinator:Settlement:PollInterval"] = "00:00:00.200",
    };

    public ChainOptions Options => new()
    {
        RpcUrl = _chain.RpcUrl, ChainId = DevChain.ChainId, TokenAddress = Addresses.Token, EscrowAddress = Addresses.Escrow,
        RegistryAddress = Addresses.Registry, ReputationAddress = Addresses.Reputation, ReceiptVerifierAddress = Addresses.ReceiptVerifier,
        KeyFile = KeyFile,
    };

    /// <summary>Contract clients signing with the coordinator's key (to act behind the worker's back).</summary>
    public ChainContracts AsCoordinator() => ChainContracts.At(_chain.Web3(CoordinatorIndex), Addresses);

    public static async Task<ChainHarness> DeployAsync(DevChain chain)
    {
        var plan = new DeploymentPlan(chain.Account(TreasuryIndex).Address, chain.Account(CoordinatorIndex).Address);
        var deployed = await ChainDeployer.DeployAsync(chain.Web3(AdminIndex), plan, None);
        var harness = new ChainHarness(chain, deployed.Addresses);
        var canaryKey = EthECKey.GenerateKey().GetPrivateKey();
        harness.Canary = await harness.NewAccountAsync(canaryKey);
        await File.WriteAllTextAsync(harness.CanaryKeyFile, JsonSerializer.Serialize(new Dictionary<string, string[]> { ["privateKeys"] = [canaryKey] }));
        return harness;
    }

    /// <summary>A new key (or <paramref name="privateKey"/>) with 100 ETH for gas and no tokens.</summary>
    public async Task<ChainAccount> NewAccountAsync(string? privateKey = null)
    {
        var key = privateKey ?? EthECKey.GenerateKey().GetPrivateKey();
        var account = new Account(key, DevChain.ChainId);
        var web3 = ChainConnection.CreateWeb3(account, _chain.RpcUrl);
        await web3.Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", account.Address,
            new HexBigInteger(System.Numerics.BigInteger.Pow(10, 20)).HexValue));
        return new ChainAccount(Identity.FromPrivateKey(key), account, ChainContracts.At(web3, Addresses));
    }

    /// <summary>Mints <paramref name="amount"/> to the account and deposits it into the escrow (approve + deposit).</summary>
    public static async Task DepositAsync(ChainAccount account, TokenAmount amount)
    {
        await account.Contracts.Token.MintAsync(account.Address, amount, None);
        await account.Contracts.Token.ApproveAsync(account.Contracts.Escrow.Address, amount, None);
        await account.Contracts.Escrow.DepositAsync(amount, None);
    }

    /// <summary>
    /// The two parties of a paid job: a requester with <paramref name="deposit"/> in escrow and a provider, bonded
    /// (so it may serve) when <paramref name="bonded"/>.
    /// </summary>
    public async Task<(ChainAccount Requester, ChainAccount Provider)> PartiesAsync(TokenAmount deposit, bool bonded = true)
    {
        var requester = await NewAccountAsync();
        var provider = await NewAccountAsync();
        await DepositAsync(requester, deposit);
        if (bonded)
            await BondAsync(provider);
        return (requester, provider);
    }

    /// <summary>The EIP-712 domain of job authorizations for these contracts.</summary>
    public EscrowDomain Domain => new(DevChain.ChainId, Address.Parse(Addresses.Escrow));

    /// <summary>
    /// Stores a job of <paramref name="requester"/> as the coordinator does after a submit: <paramref name="spec"/>
    /// (default: 10 minutes at up to 1 USDC per hour) with the authorization the requester's client signs (none when
    /// <paramref name="authorized"/> is false), counting <paramref name="extraReplicas"/> in a verified job's worst case.
    /// </summary>
    public async Task<Job> InsertJobAsync(IJobStore jobs, ChainAccount requester, bool authorized = true, string? spec = null, int extraReplicas = 2)
    {
        var text = spec ?? JobSpecs.Shell("paid", "true", timeout: "10m");
        var parsed = JobSpecParser.Parse(text, "job.yaml").Spec!;
        var now = DateTimeOffset.UtcNow;
        var job = new Job(JobId.New(TimeProvider.System), requester.Identity.Address, parsed.Name, text, parsed, JobState.Queued, now, now,
            null, null, [], [], [])
        {
            Authorization = authorized ? JobAuthorizer.Create(text, parsed, Domain, extraReplicas, requester.Identity, now) : null,
        };
        await jobs.InsertJobAsync(job, None);
        return job;
    }

    /// <summary>Mints the registry's minimum bond to the account and bonds it, so it may serve.</summary>
    public static async Task BondAsync(ChainAccount account)
    {
        var minBond = await account.Contracts.Registry.MinBondAsync(None);
        await account.Contracts.Token.MintAsync(account.Address, minBond, None);
        await account.Contracts.Token.ApproveAsync(account.Contracts.Registry.Address, minBond, None);
        await account.Contracts.Registry.BondAsync(minBond, None);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Waits on the coordinator's settlement: no sleeps, a signal and a timeout that names what was awaited.</summary>
public static class SettlementWaits
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Once the coordinator has recorded the start of <paramref name="jobId"/>'s running attempt, moves that start
    /// <paramref name="ago"/> into the past, as if it had run that long: a test can then report a long wall time
    /// without waiting for it (an attempt is paid no more than the coordinator saw it run).
    /// </summary>
    public static async Task BackdateStartAsync(CoordinatorFactory factory, string jobId, TimeSpan ago)
    {
        var db = SqliteDatabase.ForFile(Path.Combine(factory.DataDir, "coordinator.db"));
        using var timeout = new CancellationTokenSource(Timeout);
        while (await db.WriteAsync((c, tx) => SqliteDatabase.ExecAsync(c, tx,
                   "UPDATE attempts SET started_at = $at WHERE job_id = $id AND started_at IS NOT NULL AND finished_at IS NULL",
                   timeout.Token, ("$id", jobId), ("$at", SqliteDatabase.Time(DateTimeOffset.UtcNow - ago))), timeout.Token) == 0)
            await Task.Delay(20, timeout.Token);
    }

    /// <summary>Waits until the job's intents satisfy <paramref name="done"/>; returns them.</summary>
    public static async Task<IReadOnlyList<SettlementIntent>> UntilAsync(
        IServiceProvider services, string jobId, string what, Func<IReadOnlyList<SettlementIntent>, bool> done)
    {
        var store = services.GetRequiredService<ISettlementStore>();
        var signal = services.GetRequiredService<SettlementSignal>();
        Assert.True(JobId.TryParse(jobId, out var id));
        using var timeout = new CancellationTokenSource(Timeout);
        IReadOnlyList<SettlementIntent> intents = [];
        try
        {
            while (true)
            {
                var next = signal.NextProgress();
                intents = await store.ListForJobAsync(id, timeout.Token);
                if (done(intents))
                    return intents;
                await next.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"job {jobId}: {what} did not happen within {Timeout.TotalSeconds} s; intents: " +
                string.Join("; ", intents.Select(i => $"{i.Action.ToWire()} {i.State.ToWire()} {i.Note}")));
        }
    }

    /// <summary>Every intent of the job finished, including its close.</summary>
    public static Task<IReadOnlyList<SettlementIntent>> SettledAsync(IServiceProvider services, string jobId) =>
        UntilAsync(services, jobId, "settlement (open, release and close done)",
            intents => intents.Any(i => i.Action == SettlementAction.Close) && intents.All(i => i.IsFinished));

    /// <summary>The attempt's lease is open on chain.</summary>
    public static Task<IReadOnlyList<SettlementIntent>> OpenedAsync(IServiceProvider services, string jobId) =>
        UntilAsync(services, jobId, "the lease opening on chain",
            intents => intents.Any(i => i.Action == SettlementAction.Open && i.State == IntentState.Done));
}
