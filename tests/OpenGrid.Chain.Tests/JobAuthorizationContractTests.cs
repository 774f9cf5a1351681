using System.Numerics;
using System.Text;
using Nethereum.Util;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Tests.Evm;
using OpenGrid.Core;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Identity;
using static OpenGrid.Chain.Tests.Evm.EscrowWorld;

namespace OpenGrid.Chain.Tests;

/// <summary>
/// JobEscrow.openLease under a requester's signed job authorization, in-process on Nethereum.EVM: the operator can open
/// a lease only for a requester who signed, at no more than the authorized rate, before the deadline, and the job's
/// leases never hold more than its maxTotal (a close gives the refund back, so a retry can open).
/// </summary>
public class JobAuthorizationContractTests
{
    private const long Rate = 3600;  // one base unit per second
    private const long Cap = 1000;
    private static readonly EscrowLeaseId Lease = EscrowLeaseId.FromKey("job-a/1");
    private static readonly EscrowLeaseId Retry = EscrowLeaseId.FromKey("job-a/2");
    private static readonly EscrowLeaseId Replica = EscrowLeaseId.FromKey("job-a-replica/1");

    private static async Task<EscrowWorld> FundedAsync(long deposit = 10 * Cap)
    {
        var w = await CreateAsync();
        await w.DepositAsync(w.Requester, deposit);
        return w;
    }

    [Fact]
    public async Task The_contracts_digest_is_the_one_the_requester_signs_off_chain()
    {
        var w = await CreateAsync();
        var authorization = w.Authorize(w.Requester, "job-a", Rate, 2 * Cap);

        var typeHash = await w.Chain.CallAsync<JobAuthorizationTypehashFunction, byte[]>(w.Escrow, new());
        var digest = await w.Chain.CallAsync<AuthorizationDigestFunction, byte[]>(w.Escrow, new() { Authorization = EscrowClient.ToTuple(authorization) });

        Assert.Equal(Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(JobAuthorizationSigning.AuthorizationType)), typeHash);
        Assert.Equal(JobAuthorizationSigning.Digest(authorization, w.Domain).ToArray(), digest);
    }

    [Fact]
    public async Task OpenLease_under_an_authorization_counts_the_cap_against_the_job_and_emits_the_job()
    {
        var w = await FundedAsync();
        var authorization = w.Authorize(w.Requester, "job-a", Rate, 2 * Cap);

        var opened = (await w.OpenAsync(Lease, Rate, Cap, authorization)).Event<LeaseOpenedEvent>();

        Assert.Equal(authorization.Job, opened.Job);
        Assert.Equal(authorization.Job, (await w.LeaseAsync(Lease)).Job);
        Assert.Equal(new BigInteger(Cap), await w.CommittedAsync(w.Requester, authorization));
        Assert.Equal(new BigInteger(Cap), await w.LockedAsync(w.Requester));
    }

    [Fact]
    public async Task An_operator_cannot_open_a_lease_against_a_requester_who_never_signed()
    {
        // Requester 2 deposited but signed nothing; the operator tries requester 1's authorization, and none at all.
        var w = await FundedAsync();
        await w.DepositAsync(w.Requester2, 10 * Cap);
        var someoneElses = w.Authorize(w.Requester, "job-a", Rate, 10 * Cap);
        var unsigned = someoneElses with { Signature = [] };

        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, Rate, Cap, someoneElses, requester: w.Requester2)),
            "InvalidAuthorization", w.Requester2, w.Requester);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, Rate, Cap, unsigned, requester: w.Requester2)),
            "InvalidAuthorization", w.Requester2, ChainAddress.Zero);
        Assert.Equal((new BigInteger(10 * Cap), BigInteger.Zero), (await w.AvailableAsync(w.Requester2), await w.LockedAsync(w.Requester2)));
        Assert.Equal(0, (await w.LeaseAsync(Lease)).Status);
    }

    [Fact]
    public async Task An_authorization_signed_by_another_key_reverts_with_InvalidAuthorization()
    {
        var w = await FundedAsync();
        var stranger = Identity.Generate();
        var forged = w.Authorize(w.Requester, "job-a", Rate, 2 * Cap, signer: stranger);

        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, Rate, Cap, forged)),
            "InvalidAuthorization", w.Requester, stranger.Address.Value);
        Assert.Equal(new BigInteger(10 * Cap), await w.AvailableAsync(w.Requester));
    }

    [Fact]
    public async Task A_signature_for_other_terms_or_another_job_does_not_authorize_these()
    {
        var w = await FundedAsync();
        var signed = w.Authorize(w.Requester, "job-a", Rate, Cap);
        var otherJob = w.Authorize(w.Requester, "job-b", Rate, Cap);

        foreach (var tampered in new[]
                 {
                     signed with { MaxTotal = TokenAmount.FromBaseUnits(10 * Cap) },
                     signed with { MaxRatePerHour = TokenAmount.FromBaseUnits(10 * Rate) },
                     signed with { Deadline = signed.Deadline.AddYears(1) },
                     signed with { Job = otherJob.Job }, // job a's signature replayed for job b
                 })
        {
            var e = await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, Rate, Cap, tampered));
            Assert.Equal("InvalidAuthorization", e.ErrorName);
            Assert.NotEqual(w.Requester, ((string)e.Arguments[1]!).ToLowerInvariant());
        }
        var malformed = signed with { Signature = signed.Signature[..64] };
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, Rate, Cap, malformed)),
            "InvalidAuthorization", w.Requester, ChainAddress.Zero);
        await w.OpenAsync(Lease, Rate, Cap, signed);
    }

    [Fact]
    public async Task No_lease_opens_after_the_deadline_and_one_opens_at_it()
    {
        var w = await FundedAsync();
        var deadline = w.Chain.Timestamp + 60;
        var authorization = w.Authorize(w.Requester, "job-a", Rate, 2 * Cap, deadline);

        w.Chain.Warp(60);
        await w.OpenAsync(Lease, Rate, Cap, authorization);
        w.Chain.Warp(1);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Retry, Rate, Cap, authorization)),
            "AuthorizationExpired", authorization.Job, deadline);
        Assert.Equal(new BigInteger(Cap), await w.CommittedAsync(w.Requester, authorization));
    }

    [Fact]
    public async Task A_rate_above_the_authorized_max_reverts_and_the_max_itself_opens()
    {
        var w = await FundedAsync();
        var authorization = w.Authorize(w.Requester, "job-a", Rate, 2 * Cap);

        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Lease, Rate + 1, Cap, authorization)),
            "RateAboveAuthorized", authorization.Job, Rate + 1, Rate);
        await w.OpenAsync(Lease, Rate, Cap, authorization);
    }

    [Fact]
    public async Task The_leases_of_a_job_never_hold_more_than_maxTotal_however_often_the_authorization_is_replayed()
    {
        var w = await FundedAsync();
        var authorization = w.Authorize(w.Requester, "job-a", Rate, 2 * Cap);
        await w.OpenAsync(Lease, Rate, Cap, authorization);
        await w.OpenAsync(Replica, Rate, Cap - 1, authorization);

        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Retry, Rate, 2, authorization)),
            "AuthorizationExceeded", authorization.Job, 2 * Cap - 1, 2, 2 * Cap);
        await w.OpenAsync(Retry, Rate, 1, authorization); // exactly maxTotal is allowed
        Assert.Equal(new BigInteger(2 * Cap), await w.CommittedAsync(w.Requester, authorization));
        Assert.Equal(new BigInteger(8 * Cap), await w.AvailableAsync(w.Requester));
    }

    [Fact]
    public async Task A_close_gives_the_refund_back_to_the_jobs_budget_so_a_retry_opens_but_paid_money_stays_counted()
    {
        var w = await FundedAsync();
        var authorization = w.Authorize(w.Requester, "job-a", Rate, Cap);
        await w.OpenAsync(Lease, Rate, Cap, authorization);
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Retry, Rate, Cap, authorization)),
            "AuthorizationExceeded", authorization.Job, Cap, Cap, Cap);

        // The first attempt is paid for 100 s, then lost: the close refunds 900, the 100 paid still count.
        await w.StreamAsync(Lease, 100);
        var refund = (await w.CloseAsync(Lease)).Event<LeaseClosedEvent>().Refund;
        Assert.Equal(new BigInteger(Cap - 100), refund);
        Assert.Equal(new BigInteger(100), await w.CommittedAsync(w.Requester, authorization));
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() => w.OpenAsync(Retry, Rate, Cap, authorization)),
            "AuthorizationExceeded", authorization.Job, 100, Cap, Cap);
        await w.OpenAsync(Retry, Rate, Cap - 100, authorization);
        Assert.Equal(new BigInteger(Cap), await w.CommittedAsync(w.Requester, authorization));
    }

    [Fact]
    public async Task A_requester_closing_its_expired_lease_also_frees_the_jobs_budget()
    {
        var w = await FundedAsync();
        var authorization = w.Authorize(w.Requester, "job-a", Rate, Cap, w.Chain.Timestamp + 10 * 24 * 3600);
        await w.OpenAsync(Lease, Rate, Cap, authorization);

        w.Chain.Warp(Cap + CloseGrace);
        await w.CloseAsync(Lease, from: w.Requester);

        Assert.Equal(BigInteger.Zero, await w.CommittedAsync(w.Requester, authorization));
        await w.OpenAsync(Retry, Rate, Cap, authorization);
    }

    [Fact]
    public async Task Two_requesters_budgets_are_separate_even_under_the_same_job_key()
    {
        var w = await FundedAsync();
        await w.DepositAsync(w.Requester2, 10 * Cap);
        var mine = w.Authorize(w.Requester, "job-a", Rate, Cap);
        var theirs = w.Authorize(w.Requester2, "job-a", Rate, Cap);
        Assert.Equal(mine.Job, theirs.Job);

        await w.OpenAsync(Lease, Rate, Cap, mine);
        await w.OpenAsync(Retry, Rate, Cap, theirs, requester: w.Requester2);

        Assert.Equal((new BigInteger(Cap), new BigInteger(Cap)), (await w.CommittedAsync(w.Requester, mine), await w.CommittedAsync(w.Requester2, theirs)));
    }
}
