using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Core.Tests.Escrow;

/// <summary>
/// Job authorizations off chain: the shared worst case, what a client signs, and the coordinator's check at submit.
/// (The contract's side — the same digest, the reverts — is in OpenGrid.Chain.Tests.)
/// </summary>
public sealed class JobAuthorizationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
    private static readonly EscrowDomain Domain = new(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"));
    private static readonly Identity Requester = Identity.Generate();

    // 10 minutes at up to 1 USDC per hour: a lease's cap is 166_666.
    private static readonly string Text = JobSpecs.Shell("paid", "true", timeout: "10m");

    private static JobSpec Parse(string text) => JobSpecParser.Parse(text, "job.yaml").Spec!;

    private static string Verified(int replicas) => Text + $$"""

        verify: { replicas: {{replicas}}, quorum: 1 }
        """;

    [Fact]
    public void The_worst_case_is_one_lease_cap_per_lease_the_job_may_hold_extra_replicas_included_for_verified_jobs()
    {
        Assert.Equal(166_666, JobBudget.MaxTotal(Parse(Text), extraReplicas: 2).BaseUnits);
        Assert.Equal(166_666 * 5, JobBudget.MaxTotal(Parse(Verified(3)), extraReplicas: 2).BaseUnits);
        Assert.Equal(166_666 * 3, JobBudget.MaxTotal(Parse(Verified(3)), extraReplicas: 0).BaseUnits);
        Assert.Equal(1, JobBudget.LeaseCap(TokenAmount.FromBaseUnits(3600), TimeSpan.FromMilliseconds(500)).BaseUnits);
    }

    [Fact]
    public void A_client_signs_the_specs_price_and_worst_case_for_a_key_bound_to_the_spec_text()
    {
        var authorization = JobAuthorizer.Create(Text, Parse(Text), Domain, 2, Requester, Now);

        Assert.Equal(Requester.Address, JobAuthorizationSigning.RecoverSigner(authorization, Domain));
        Assert.Equal((1_000_000L, 166_666L), (authorization.MaxRatePerHour.BaseUnits, authorization.MaxTotal.BaseUnits));
        Assert.Equal(Now + JobAuthorizer.Lifetime, authorization.Deadline);
        Assert.Equal(JobAuthorizationSigning.JobKey(ReceiptEncoding.SpecHash(Text), authorization.Nonce).ToArray(), authorization.Job);
        Assert.Equal(65, authorization.Signature.Length);
        // A fresh nonce each time: two submits of one spec are two jobs with budgets of their own.
        Assert.NotEqual(authorization.Job, JobAuthorizer.Create(Text, Parse(Text), Domain, 2, Requester, Now).Job);
    }

    [Fact]
    public void A_signature_holds_only_for_the_fields_and_the_escrow_it_was_made_for()
    {
        var authorization = JobAuthorizer.Create(Text, Parse(Text), Domain, 2, Requester, Now);

        Assert.NotEqual(Requester.Address, JobAuthorizationSigning.RecoverSigner(authorization, Domain with { ChainId = 1 }));
        Assert.NotEqual(Requester.Address, JobAuthorizationSigning.RecoverSigner(authorization, Domain with { Escrow = Address.Parse("0x" + new string('1', 40)) }));
        Assert.NotEqual(Requester.Address, JobAuthorizationSigning.RecoverSigner(authorization with { MaxTotal = TokenAmount.FromBaseUnits(166_667) }, Domain));
        Assert.NotEqual(Requester.Address, JobAuthorizationSigning.RecoverSigner(authorization with { Deadline = Now }, Domain));
        Assert.Null(JobAuthorizationSigning.RecoverSigner(authorization with { Signature = authorization.Signature[..64] }, Domain));
    }

    [Fact]
    public void The_wire_form_round_trips_and_bad_fields_are_named()
    {
        var authorization = JobAuthorizer.Create(Text, Parse(Text), Domain, 2, Requester, Now);
        var view = authorization.ToView();

        Assert.True(JobAuthorizationWire.TryParse(view, out var back, out _));
        Assert.Equal(view, back.ToView());
        Assert.Equal(("1.000000", "0.166666", (Now + JobAuthorizer.Lifetime).ToUnixTimeSeconds()), (view.MaxRatePerHour, view.MaxTotal, view.Deadline));
        foreach (var (bad, field) in new (JobAuthorizationView, string)[]
                 {
                     (view with { Job = "0x12" }, "authorization.job"),
                     (view with { Nonce = null }, "authorization.nonce"),
                     (view with { MaxRatePerHour = "-1" }, "authorization.maxRatePerHour"),
                     (view with { MaxTotal = "0.1234567" }, "authorization.maxTotal"),
                     (view with { Deadline = 0 }, "authorization.deadline"),
                     (view with { Signature = "0x" + new string('a', 128) }, "authorization.signature"),
                 })
        {
            Assert.False(JobAuthorizationWire.TryParse(bad, out _, out var problem));
            Assert.StartsWith(field, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_coordinator_accepts_the_clients_authorization_and_names_each_kind_of_refusal()
    {
        var spec = Parse(Text);
        var good = JobAuthorizer.Create(Text, spec, Domain, 2, Requester, Now);
        Check(good.ToView()).AssertAccepted();

        Assert.Equal(ErrorCodes.EscrowAuthorizationMissing, Check(null).Code);
        Assert.Equal(ErrorCodes.EscrowAuthorizationInvalid, Check(JobAuthorizer.Create(Text, spec, Domain, 2, Identity.Generate(), Now).ToView()).Code);
        Assert.Equal(ErrorCodes.EscrowAuthorizationInvalid, Check(JobAuthorizer.Create(Text + "# other\n", spec, Domain, 2, Requester, Now).ToView()).Code);
        Assert.Equal(ErrorCodes.EscrowAuthorizationInvalid, Check(good.ToView(), now: good.Deadline).Code);
        var below = JobAuthorizationSigning.Sign(good with { MaxTotal = TokenAmount.FromBaseUnits(166_665) }, Domain, Requester);
        Assert.Equal(ErrorCodes.EscrowAuthorizationInsufficient, Check(below.ToView()).Code);
        var slower = JobAuthorizationSigning.Sign(good with { MaxRatePerHour = TokenAmount.FromBaseUnits(999_999) }, Domain, Requester);
        Assert.Equal(ErrorCodes.EscrowAuthorizationInsufficient, Check(slower.ToView()).Code);
        // More than the worst case is the requester's choice.
        Check(JobAuthorizationSigning.Sign(good with { MaxTotal = TokenAmount.FromBaseUnits(10_000_000) }, Domain, Requester).ToView()).AssertAccepted();
    }

    private static Checked Check(JobAuthorizationView? view, DateTimeOffset? now = null)
    {
        var (authorization, rejection) = JobAuthorizationCheck.Validate(view, Requester.Address, Text, Parse(Text), Domain, 2, now ?? Now);
        return new Checked(authorization, rejection);
    }

    private sealed record Checked(JobAuthorization? Authorization, Rejection? Rejection)
    {
        public string? Code => Rejection?.Code;

        public void AssertAccepted()
        {
            Assert.Null(Rejection);
            Assert.NotNull(Authorization);
        }
    }
}
