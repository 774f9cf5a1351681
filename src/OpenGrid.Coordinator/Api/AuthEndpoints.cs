using OpenGrid.Coordinator.Auth;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary><c>/v1/auth</c>: sign in by signing a challenge with the account key; get a bearer token.</summary>
public static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/v1/auth").WithTags("auth");

        auth.MapPost("/challenge", (ChallengeRequest request, ChallengeStore challenges) =>
        {
            if (!Address.TryParse(request.Address, out var address))
                return Problems.Result(ErrorCodes.RequestInvalid, $"'{request.Address}' is not a 0x-prefixed 20-byte hex address");
            var (text, expires) = challenges.Issue(address);
            return Results.Ok(new ChallengeResponse(text, expires));
        });

        auth.MapPost("/token", (TokenRequest request, ChallengeStore challenges, TokenService tokens) =>
        {
            if (!Address.TryParse(request.Address, out var address))
                return Problems.Result(ErrorCodes.RequestInvalid, $"'{request.Address}' is not a 0x-prefixed 20-byte hex address");
            if (Protocol.Identity.Identity.RecoverSigner(request.Challenge ?? "", request.Signature ?? "") != address)
                return Problems.Result(ErrorCodes.AuthInvalidSignature, $"the signature was not made by {address}");
            if (challenges.Redeem(request.Challenge!, address) is { } code)
                return Problems.Result(code, "that challenge is unknown, already used or expired; ask for a new one");
            var (token, expires) = tokens.Issue(address);
            return Results.Ok(new TokenResponse(token, address.Value, expires));
        });
    }
}
