using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Protocol.Escrow;

/// <summary>
/// The coordinator's check of a job authorization at submit, off chain, so that anything the escrow would refuse at
/// the first lease is refused before the job exists: it must be there, parse, be signed by the requester in this
/// escrow's domain, bind this spec text (job = keccak256(specHash ‖ nonce)), not be past its deadline, and cover
/// the job's worst case (<c>maxRatePerHour</c> ≥ <c>price.maxPerHour</c>, <c>maxTotal</c> ≥ <see cref="JobBudget.MaxTotal"/>).
/// </summary>
public static class JobAuthorizationCheck
{
    /// <summary>What an authorization for this spec must cover, for the problem a refusal carries.</summary>
    public static AuthorizationTermsView Terms(string specText, JobSpec spec, EscrowDomain domain, int extraReplicas)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new AuthorizationTermsView(domain.ChainId, domain.Escrow.Value, ReceiptEncoding.SpecHash(specText).ToString(),
            spec.Price.MaxPerHour.ToString(), JobBudget.MaxTotal(spec, extraReplicas).ToString(), extraReplicas);
    }

    /// <summary>The parsed authorization, or a rejection (<c>escrow.authorization_missing</c>, <c>_invalid</c>, <c>_insufficient</c>).</summary>
    public static (JobAuthorization? Authorization, Rejection? Rejection) Validate(
        JobAuthorizationView? view, Address requester, string specText, JobSpec spec, EscrowDomain domain, int extraReplicas, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (view is null)
            return Refuse(ErrorCodes.EscrowAuthorizationMissing,
                "this grid settles payments: a job needs your signed authorization for the escrow (authorization in the request; " +
                "og submit signs one with your key)");
        if (!JobAuthorizationWire.TryParse(view, out var authorization, out var problem))
            return Refuse(ErrorCodes.EscrowAuthorizationInvalid, problem);
        var signer = JobAuthorizationSigning.RecoverSigner(authorization, domain);
        if (signer != requester)
            return Refuse(ErrorCodes.EscrowAuthorizationInvalid, signer is null
                ? "authorization.signature is malformed (65 bytes r‖s‖v, v 27 or 28, low s)"
                : $"the authorization is signed by {signer}, not by you ({requester}), for escrow {domain.Escrow} on chain {domain.ChainId}: " +
                  "sign it with the key you signed in with, in this escrow's domain (GET /v1/chain)");
        var specHash = ReceiptEncoding.SpecHash(specText);
        if (JobAuthorizationSigning.JobKey(specHash, authorization.Nonce) != Bytes32.From(authorization.Job))
            return Refuse(ErrorCodes.EscrowAuthorizationInvalid,
                $"authorization.job is not keccak256(specHash ‖ nonce) for this spec text (specHash {specHash}): it was signed for another spec");
        if (authorization.Deadline <= now)
            return Refuse(ErrorCodes.EscrowAuthorizationInvalid,
                $"the authorization expired at {authorization.Deadline.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}; sign a new one");
        var maxTotal = JobBudget.MaxTotal(spec, extraReplicas);
        if (authorization.MaxRatePerHour.CompareTo(spec.Price.MaxPerHour) < 0)
            return Refuse(ErrorCodes.EscrowAuthorizationInsufficient,
                $"authorization.maxRatePerHour {authorization.MaxRatePerHour} is below the spec's price.maxPerHour {spec.Price.MaxPerHour}");
        if (authorization.MaxTotal.CompareTo(maxTotal) < 0)
            return Refuse(ErrorCodes.EscrowAuthorizationInsufficient,
                $"authorization.maxTotal {authorization.MaxTotal} is below this job's worst case {maxTotal} (price.maxPerHour " +
                $"{spec.Price.MaxPerHour} for limits.timeout {spec.Limits.Timeout} × {JobBudget.MaxLeases(spec.Verify, extraReplicas)} lease(s))");
        return (authorization, null);

        static (JobAuthorization?, Rejection?) Refuse(string code, string message) => (null, new Rejection(code, message));
    }
}
