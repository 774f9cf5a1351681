using System.Numerics;
using Nethereum.Web3;
using OpenGrid.Chain.Access;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Chain.Escrow;

/// <summary>Typed client of JobEscrow: deposits, leases, releases, refunds and withdrawals.</summary>
public sealed class EscrowClient(IWeb3 web3, string address) : ContractClient(web3, address)
{
    /// <summary>Deploys JobEscrow with <paramref name="admin"/> holding DEFAULT_ADMIN_ROLE.</summary>
    public static async Task<EscrowClient> DeployAsync(
        IWeb3 web3, string admin, string token, string treasury, TimeSpan closeGrace, CancellationToken cancellationToken)
    {
        var address = await DeployAsync(web3, new JobEscrowDeployment
        {
            Admin = admin, Token = token, Treasury = treasury, CloseGrace = (ulong)closeGrace.TotalSeconds,
        }, cancellationToken).ConfigureAwait(false);
        return new EscrowClient(web3, address);
    }

    /// <summary>Deposits from the signing account (approve the escrow on the token first).</summary>
    public Task<TxOutcome> DepositAsync(TokenAmount amount, CancellationToken cancellationToken) =>
        SendAsync(new DepositFunction { Amount = ChainAmount.ToWire(amount) }, cancellationToken);

    /// <summary>Withdraws the signing account's available (unlocked) funds.</summary>
    public Task<TxOutcome> WithdrawAsync(TokenAmount amount, CancellationToken cancellationToken) =>
        SendAsync(new WithdrawFunction { Amount = ChainAmount.ToWire(amount) }, cancellationToken);

    /// <summary>
    /// Operator: opens a lease locking <paramref name="cap"/> of the requester's available funds, under the job
    /// authorization the requester signed (the escrow checks the signature, deadline, max rate and max total).
    /// </summary>
    public Task<TxOutcome> OpenLeaseAsync(
        EscrowLeaseId leaseId, string requester, string provider, TokenAmount ratePerHour, TokenAmount cap,
        JobAuthorization authorization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return SendAsync(new OpenLeaseFunction
        {
            LeaseId = leaseId.ToBytes(), Requester = requester, Provider = provider,
            RatePerHour = ChainAmount.ToWire(ratePerHour), Cap = ChainAmount.ToWire(cap),
            Authorization = ToTuple(authorization), Signature = authorization.Signature,
        }, cancellationToken);
    }

    /// <summary>The contract's struct for an authorization (without its nonce and signature).</summary>
    public static JobAuthorizationTuple ToTuple(JobAuthorization authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return new()
        {
            Job = authorization.Job, MaxRatePerHour = ChainAmount.ToWire(authorization.MaxRatePerHour),
            MaxTotal = ChainAmount.ToWire(authorization.MaxTotal), Deadline = authorization.DeadlineSeconds,
        };
    }

    /// <summary>What the job's leases hold now under the requester's authorization: locked + released, in base units.</summary>
    public async Task<TokenAmount> CommittedAsync(string requester, byte[] job, CancellationToken cancellationToken) =>
        ChainAmount.FromWire(await QueryAsync<CommittedOfFunction, BigInteger>(new() { Requester = requester, Job = job }, cancellationToken)
            .ConfigureAwait(false));

    /// <summary>Operator: pays usage verified up to <paramref name="verifiedSeconds"/> (cumulative, increasing).</summary>
    public Task<TxOutcome> ReleaseStreamingAsync(EscrowLeaseId leaseId, ulong verifiedSeconds, CancellationToken cancellationToken) =>
        SendAsync(new ReleaseStreamingFunction { LeaseId = leaseId.ToBytes(), VerifiedSeconds = verifiedSeconds }, cancellationToken);

    /// <summary>Operator: pays a completed job's verified run at once; afterwards only closing remains.</summary>
    public Task<TxOutcome> ReleaseMilestoneAsync(EscrowLeaseId leaseId, ulong verifiedSeconds, CancellationToken cancellationToken) =>
        SendAsync(new ReleaseMilestoneFunction { LeaseId = leaseId.ToBytes(), VerifiedSeconds = verifiedSeconds }, cancellationToken);

    /// <summary>Closes the lease and refunds what it did not release (operator any time; requester after expiry).</summary>
    public Task<TxOutcome> CloseLeaseAsync(EscrowLeaseId leaseId, CancellationToken cancellationToken) =>
        SendAsync(new CloseLeaseFunction { LeaseId = leaseId.ToBytes() }, cancellationToken);

    /// <summary>Sends the signing account all its earnings.</summary>
    public Task<TxOutcome> WithdrawEarningsAsync(CancellationToken cancellationToken) =>
        SendAsync(new WithdrawEarningsFunction(), cancellationToken);

    /// <summary>Admin: lets <paramref name="account"/> open, pay and close leases.</summary>
    public Task<TxOutcome> GrantOperatorAsync(string account, CancellationToken cancellationToken) =>
        SendAsync(new GrantRoleFunction { Role = Roles.Operator, Account = account }, cancellationToken);

    /// <summary>The lease, or null when the id was never opened.</summary>
    public async Task<EscrowLease?> GetLeaseAsync(EscrowLeaseId leaseId, CancellationToken cancellationToken)
    {
        var o = await QueryDtoAsync<LeasesFunction, LeaseOutput>(new LeasesFunction { LeaseId = leaseId.ToBytes() }, cancellationToken)
            .ConfigureAwait(false);
        if (o.Status == (byte)EscrowLeaseStatus.None)
            return null;
        return new EscrowLease(leaseId, (EscrowLeaseStatus)o.Status, o.Requester, o.Provider,
            ChainAmount.FromWire(o.RatePerHour), ChainAmount.FromWire(o.Cap), ChainAmount.FromWire(o.Released),
            o.PaidSeconds, DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(o.ExpiresAt, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())))
        {
            Job = o.Job,
        };
    }

    public async Task<EscrowBalances> GetBalancesAsync(string account, CancellationToken cancellationToken)
    {
        var available = await QueryAsync<AvailableOfFunction, BigInteger>(new() { Requester = account }, cancellationToken).ConfigureAwait(false);
        var locked = await QueryAsync<LockedOfFunction, BigInteger>(new() { Requester = account }, cancellationToken).ConfigureAwait(false);
        var earnings = await QueryAsync<EarningsOfFunction, BigInteger>(new() { Account = account }, cancellationToken).ConfigureAwait(false);
        return new EscrowBalances(ChainAmount.FromWire(available), ChainAmount.FromWire(locked), ChainAmount.FromWire(earnings));
    }

    public Task<bool> IsOperatorAsync(string account, CancellationToken cancellationToken) =>
        QueryAsync<HasRoleFunction, bool>(new() { Role = Roles.Operator, Account = account }, cancellationToken);
}
