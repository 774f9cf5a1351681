using System.Numerics;
using OpenGrid.Chain.Access;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Reputation;
using OpenGrid.Chain.Token;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.Chain.Tests.Evm;

/// <summary>
/// The four contracts deployed on a fresh <see cref="EvmChain"/>, with named accounts: an admin, the coordinator
/// (operator, verifier, validator), the treasury, two requesters (with keys, to sign job authorizations), two
/// providers and a stranger with no role.
/// </summary>
public sealed class EscrowWorld
{
    public const long Usdc = 1_000_000;
    public const long MinBond = 10 * Usdc;
    public const long UnbondDelay = 7 * 24 * 3600;
    public const ushort HarmedShareBps = 5_000;
    public const long CloseGrace = 24 * 3600;

    private EscrowWorld(EvmChain chain) => Chain = chain;

    public EvmChain Chain { get; }
    public string Admin { get; private init; } = "";
    public string Coordinator { get; private init; } = "";
    public string Treasury { get; private init; } = "";
    public string Requester { get; private init; } = "";
    public string Requester2 { get; private init; } = "";
    public string Provider { get; private init; } = "";
    public string Provider2 { get; private init; } = "";
    public string Stranger { get; private init; } = "";
    public Identity RequesterKey { get; private init; } = null!;
    public Identity Requester2Key { get; private init; } = null!;
    public string Token { get; private set; } = "";
    public string Escrow { get; private set; } = "";
    public string Registry { get; private set; } = "";
    public string Reputation { get; private set; } = "";

    /// <summary>Deploys everything; <paramref name="token"/> replaces TestUSDC (e.g. the malicious token).</summary>
    public static async Task<EscrowWorld> CreateAsync(Func<EvmChain, string, Task<string>>? token = null)
    {
        var chain = new EvmChain();
        var (key, key2) = (Identity.Generate(), Identity.Generate());
        var w = new EscrowWorld(chain)
        {
            Admin = chain.NewAccount(), Coordinator = chain.NewAccount(), Treasury = chain.NewAccount(),
            Requester = chain.NewAccount(key), Requester2 = chain.NewAccount(key2), RequesterKey = key, Requester2Key = key2,
            Provider = chain.NewAccount(), Provider2 = chain.NewAccount(), Stranger = chain.NewAccount(),
        };
        w.Token = token is null ? await chain.DeployAsync(w.Admin, new TestUsdcDeployment()) : await token(chain, w.Admin);
        w.Escrow = await chain.DeployAsync(w.Admin, new JobEscrowDeployment
        {
            Admin = w.Admin, Token = w.Token, Treasury = w.Treasury, CloseGrace = CloseGrace,
        });
        w.Registry = await chain.DeployAsync(w.Admin, new ProviderRegistryDeployment
        {
            Admin = w.Admin, Token = w.Token, Treasury = w.Treasury, MinBond = MinBond,
            UnbondDelay = UnbondDelay, HarmedShareBps = HarmedShareBps,
        });
        w.Reputation = await chain.DeployAsync(w.Admin, new ReputationRegistryDeployment { Admin = w.Admin });
        await chain.SendAsync(w.Admin, w.Escrow, new GrantRoleFunction { Role = Roles.Operator, Account = w.Coordinator });
        await chain.SendAsync(w.Admin, w.Registry, new GrantRoleFunction { Role = Roles.Verifier, Account = w.Coordinator });
        await chain.SendAsync(w.Admin, w.Reputation, new GrantRoleFunction { Role = Roles.Validator, Account = w.Coordinator });
        return w;
    }

    /// <summary>Mints <paramref name="amount"/> to <paramref name="account"/> and approves <paramref name="spender"/> for it.</summary>
    public async Task MintAndApproveAsync(string account, string spender, BigInteger amount)
    {
        await Chain.SendAsync(account, Token, new MintFunction { To = account, Amount = amount });
        await Chain.SendAsync(account, Token, new ApproveFunction { Spender = spender, Value = amount });
    }

    /// <summary>Mints, approves and deposits <paramref name="amount"/> into the escrow for <paramref name="requester"/>.</summary>
    public async Task<TxOutcome> DepositAsync(string requester, BigInteger amount)
    {
        await MintAndApproveAsync(requester, Escrow, amount);
        return await Chain.SendAsync(requester, Escrow, new DepositFunction { Amount = amount });
    }

    /// <summary>The EIP-712 domain of this world's escrow (chain 31337).</summary>
    public EscrowDomain Domain => new(31337, Address.Parse(Escrow));

    /// <summary>The key of <paramref name="requester"/> (one of the two requesters).</summary>
    public Identity KeyOf(string requester) =>
        string.Equals(requester, Requester, StringComparison.OrdinalIgnoreCase) ? RequesterKey
        : string.Equals(requester, Requester2, StringComparison.OrdinalIgnoreCase) ? Requester2Key
        : throw new ArgumentException($"{requester} is not a requester with a key", nameof(requester));

    /// <summary>
    /// A job authorization signed by <paramref name="signer"/> (default: <paramref name="requester"/>'s key) for the job
    /// keyed <c>keccak256(specHash("spec of {job}") ‖ 0…0)</c>; deadline default: a year from the next block.
    /// </summary>
    public JobAuthorization Authorize(string requester, string job, long maxRatePerHour, long maxTotal, long? deadline = null, Identity? signer = null)
    {
        var nonce = new byte[JobAuthorization.KeyLength];
        var key = JobAuthorizationSigning.JobKey(OpenGrid.Protocol.Receipts.ReceiptEncoding.SpecHash($"spec of {job}"), nonce);
        var unsigned = new JobAuthorization(key.ToArray(), nonce, TokenAmount.FromBaseUnits(maxRatePerHour), TokenAmount.FromBaseUnits(maxTotal),
            DateTimeOffset.FromUnixTimeSeconds(deadline ?? Chain.Timestamp + 365 * 24 * 3600), []);
        return JobAuthorizationSigning.Sign(unsigned, Domain, signer ?? KeyOf(requester));
    }

    /// <summary>Opens a lease under a generous authorization the requester signed (its job "any", no real limits).</summary>
    public Task<TxOutcome> OpenAsync(EscrowLeaseId id, BigInteger ratePerHour, BigInteger cap, string? requester = null, string? provider = null) =>
        OpenAsync(id, ratePerHour, cap, Authorize(requester ?? Requester, "any", long.MaxValue, long.MaxValue), requester, provider);

    /// <summary>Opens a lease under <paramref name="authorization"/> (its signature sent as is).</summary>
    public Task<TxOutcome> OpenAsync(EscrowLeaseId id, BigInteger ratePerHour, BigInteger cap, JobAuthorization authorization,
        string? requester = null, string? provider = null, string? from = null) =>
        Chain.SendAsync(from ?? Coordinator, Escrow, new OpenLeaseFunction
        {
            LeaseId = id.ToBytes(), Requester = requester ?? Requester, Provider = provider ?? Provider,
            RatePerHour = ratePerHour, Cap = cap, Authorization = EscrowClient.ToTuple(authorization), Signature = authorization.Signature,
        });

    public Task<BigInteger> CommittedAsync(string requester, JobAuthorization authorization) =>
        Chain.CallAsync<CommittedOfFunction, BigInteger>(Escrow, new() { Requester = requester, Job = authorization.Job });

    public Task<TxOutcome> StreamAsync(EscrowLeaseId id, ulong seconds, string? from = null) =>
        Chain.SendAsync(from ?? Coordinator, Escrow, new ReleaseStreamingFunction { LeaseId = id.ToBytes(), VerifiedSeconds = seconds });

    public Task<TxOutcome> MilestoneAsync(EscrowLeaseId id, ulong seconds, string? from = null) =>
        Chain.SendAsync(from ?? Coordinator, Escrow, new ReleaseMilestoneFunction { LeaseId = id.ToBytes(), VerifiedSeconds = seconds });

    public Task<TxOutcome> CloseAsync(EscrowLeaseId id, string? from = null) =>
        Chain.SendAsync(from ?? Coordinator, Escrow, new CloseLeaseFunction { LeaseId = id.ToBytes() });

    public Task<BigInteger> TokenBalanceAsync(string account) =>
        Chain.CallAsync<BalanceOfFunction, BigInteger>(Token, new() { Account = account });

    public Task<BigInteger> AvailableAsync(string account) =>
        Chain.CallAsync<AvailableOfFunction, BigInteger>(Escrow, new() { Requester = account });

    public Task<BigInteger> LockedAsync(string account) =>
        Chain.CallAsync<LockedOfFunction, BigInteger>(Escrow, new() { Requester = account });

    public Task<BigInteger> EarningsAsync(string account) =>
        Chain.CallAsync<EarningsOfFunction, BigInteger>(Escrow, new() { Account = account });

    public Task<LeaseOutput> LeaseAsync(EscrowLeaseId id) =>
        Chain.CallDtoAsync<LeasesFunction, LeaseOutput>(Escrow, new() { LeaseId = id.ToBytes() });

    public Task<StakeOutput> StakeAsync(string provider) =>
        Chain.CallDtoAsync<StakesFunction, StakeOutput>(Registry, new() { Provider = provider });

    public Task<BigInteger> CompensationAsync(string account) =>
        Chain.CallAsync<CompensationOfFunction, BigInteger>(Registry, new() { Account = account });

    /// <summary>Mints and bonds <paramref name="amount"/> for <paramref name="provider"/>.</summary>
    public async Task<TxOutcome> BondAsync(string provider, BigInteger amount)
    {
        await MintAndApproveAsync(provider, Registry, amount);
        return await Chain.SendAsync(provider, Registry, new BondFunction { Amount = amount });
    }
}
