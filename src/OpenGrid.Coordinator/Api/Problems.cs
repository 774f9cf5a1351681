using OpenGrid.Core;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>Maps rejections to RFC 9457 ProblemDetails with the stable <c>code</c> (see docs/api.md).</summary>
public static class Problems
{
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.SpecInvalid or ErrorCodes.SpecUnsatisfiable or ErrorCodes.InputMissing => StatusCodes.Status422UnprocessableEntity,
        ErrorCodes.JobNotFound or ErrorCodes.ContentNotFound => StatusCodes.Status404NotFound,
        ErrorCodes.JobNotCancellable or ErrorCodes.JobNotFinished => StatusCodes.Status409Conflict,
        ErrorCodes.ContentTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.ContentCorrupt => StatusCodes.Status502BadGateway,
        ErrorCodes.AuthRequired or ErrorCodes.AuthInvalidSignature or ErrorCodes.AuthChallengeExpired => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden or ErrorCodes.LeaseNotYours => StatusCodes.Status403Forbidden,
        ErrorCodes.LeaseStaleEpoch or ErrorCodes.ReceiptStaleEpoch or ErrorCodes.ReceiptReplayed or ErrorCodes.ReceiptChainBroken => StatusCodes.Status409Conflict,
        ErrorCodes.ReceiptBadSignature or ErrorCodes.ReceiptWrongSpec => StatusCodes.Status422UnprocessableEntity,
        ErrorCodes.EscrowInsufficient or ErrorCodes.EscrowAuthorizationMissing or ErrorCodes.EscrowAuthorizationInsufficient
            or ErrorCodes.EscrowAuthorizationExhausted => StatusCodes.Status402PaymentRequired,
        ErrorCodes.EscrowAuthorizationInvalid => StatusCodes.Status422UnprocessableEntity,
        ErrorCodes.ChainNotConfigured => StatusCodes.Status404NotFound,
        ErrorCodes.ChainUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.ChainTxNotYours => StatusCodes.Status403Forbidden,
        ErrorCodes.ChainTxRefused or ErrorCodes.ChainTxRejected or ErrorCodes.ChainTxReverted => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    public static ProblemView ToView(Rejection rejection, IReadOnlyList<SpecErrorView>? errors = null, AuthorizationTermsView? terms = null)
    {
        var status = StatusOf(rejection.Code);
        return new ProblemView($"https://opengrid.dev/errors/{rejection.Code}", TitleOf(rejection.Code), status,
            rejection.Message, rejection.Code, errors, terms);
    }

    public static IResult Result(Rejection rejection, IReadOnlyList<SpecErrorView>? errors = null, AuthorizationTermsView? terms = null)
    {
        var view = ToView(rejection, errors, terms);
        return Results.Json(view, OpenGridJsonContext.Default.ProblemView, "application/problem+json", view.Status);
    }

    public static IResult Result(string code, string message) => Result(new Rejection(code, message));

    public static async Task Write(HttpContext context, Rejection rejection)
    {
        var view = ToView(rejection);
        context.Response.StatusCode = view.Status ?? 400;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsJsonAsync(view, OpenGridJsonContext.Default.ProblemView, "application/problem+json");
    }

    private static string TitleOf(string code) => code switch
    {
        ErrorCodes.SpecInvalid => "The job spec is invalid",
        ErrorCodes.SpecUnsatisfiable => "No provider can run this job",
        ErrorCodes.InputMissing => "An input is missing",
        ErrorCodes.JobNotFound => "No such job",
        ErrorCodes.JobNotCancellable => "The job can no longer be cancelled",
        ErrorCodes.ContentNotFound => "No such content",
        ErrorCodes.ContentTooLarge => "The content is too large",
        ErrorCodes.ContentIncomplete => "The upload broke off",
        ErrorCodes.ContentCorrupt => "Stored content failed its hash check",
        ErrorCodes.ContentInvalidCid => "Not a CID",
        ErrorCodes.AuthRequired => "Sign-in required",
        ErrorCodes.AuthInvalidSignature => "The signature does not match the address",
        ErrorCodes.AuthChallengeExpired => "The challenge is unknown, used or expired",
        ErrorCodes.Forbidden => "Not yours",
        ErrorCodes.LeaseNotYours => "That lease is not yours",
        ErrorCodes.LeaseStaleEpoch => "That lease epoch is no longer current",
        ErrorCodes.EscrowInsufficient => "Not enough funds in escrow",
        ErrorCodes.EscrowAuthorizationMissing => "The job needs your signed authorization for the escrow",
        ErrorCodes.EscrowAuthorizationInvalid => "The job authorization is not valid",
        ErrorCodes.EscrowAuthorizationInsufficient => "The job authorization does not cover the job's worst case",
        ErrorCodes.EscrowAuthorizationExhausted => "The job authorization has too little left for another lease",
        ErrorCodes.ChainNotConfigured => "No chain is configured",
        ErrorCodes.ChainUnavailable => "The chain node did not answer",
        ErrorCodes.ChainTxInvalid => "Not a signed transaction for this chain",
        ErrorCodes.ChainTxNotYours => "The transaction is signed by another account",
        ErrorCodes.ChainTxRefused => "This transaction is not relayed",
        ErrorCodes.ChainTxRejected => "The chain node refused the transaction",
        ErrorCodes.ChainTxReverted => "The contract refused the transaction",
        _ => "Bad request",
    };
}
