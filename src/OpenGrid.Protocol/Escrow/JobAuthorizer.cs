using System.Security.Cryptography;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Protocol.Escrow;

/// <summary>
/// The client's side of a job authorization: what a requester signs for a spec it submits to a coordinator that
/// settles payments (<c>og submit</c> does this; so can any client). <c>maxRatePerHour</c> is the spec's
/// <c>price.maxPerHour</c>, <c>maxTotal</c> the job's worst case (<see cref="JobBudget.MaxTotal"/>, with the extra
/// replicas the coordinator publishes in <c>GET /v1/chain</c>), the job key binds the spec text through a fresh
/// random nonce, and the deadline is <see cref="Lifetime"/> after signing.
/// </summary>
public static class JobAuthorizer
{
    /// <summary>How long after signing leases of the job may still open (retries included): 30 days.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    /// <summary>The most extra replicas a coordinator may launch (Coordinator:Trust:MaxExtraReplicas is 0 to 16).</summary>
    public const int MaxExtraReplicas = 16;

    /// <summary>Signs an authorization for <paramref name="specText"/> (parsed as <paramref name="spec"/>) in <paramref name="domain"/>.</summary>
    public static JobAuthorization Create(string specText, JobSpec spec, EscrowDomain domain, int extraReplicas, Identity.Identity requester, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(specText);
        ArgumentNullException.ThrowIfNull(spec);
        var nonce = RandomNumberGenerator.GetBytes(JobAuthorization.KeyLength);
        var job = JobAuthorizationSigning.JobKey(ReceiptEncoding.SpecHash(specText), nonce);
        var deadline = DateTimeOffset.FromUnixTimeSeconds((now + Lifetime).ToUnixTimeSeconds());
        var unsigned = new JobAuthorization(job.ToArray(), nonce, spec.Price.MaxPerHour, JobBudget.MaxTotal(spec, extraReplicas), deadline, []);
        return JobAuthorizationSigning.Sign(unsigned, domain, requester);
    }

    /// <summary>
    /// <paramref name="request"/> with a signed authorization for its spec when <paramref name="chain"/> (the coordinator's
    /// <c>GET /v1/chain</c>) says payments are on; unchanged when <paramref name="chain"/> is null (no payments).
    /// </summary>
    public static SubmitJobRequest Authorize(SubmitJobRequest request, JobSpec spec, ChainView? chain, Identity.Identity requester, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (chain is null)
            return request;
        var domain = new EscrowDomain(chain.ChainId, Address.Parse(chain.Escrow));
        // The worst case depends on a number the coordinator publishes: never sign for more than its settings allow.
        var extraReplicas = Math.Clamp(chain.MaxExtraReplicas, 0, MaxExtraReplicas);
        return request with { Authorization = Create(request.Spec, spec, domain, extraReplicas, requester, now).ToView() };
    }
}
