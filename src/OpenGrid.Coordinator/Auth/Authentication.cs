using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Auth;

/// <summary>Single-use sign-in challenges, kept in memory: a restart only makes clients ask again.</summary>
public sealed class ChallengeStore(TimeProvider time, IOptions<CoordinatorOptions> options)
{
    private readonly ConcurrentDictionary<string, (Address Address, DateTimeOffset Expires)> _open = new();

    public (string Text, DateTimeOffset ExpiresAt) Issue(Address address)
    {
        Sweep();
        var expires = time.GetUtcNow() + options.Value.ChallengeLifetime;
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var text = $"OpenGrid sign-in\naddress: {address}\nnonce: {nonce}\nexpires: {expires:O}";
        _open[text] = (address, expires);
        return (text, expires);
    }

    /// <summary>Consumes the challenge; null when valid, else the rejection code.</summary>
    public string? Redeem(string text, Address address)
    {
        if (!_open.TryRemove(text, out var entry) || entry.Address != address)
            return ErrorCodes.AuthChallengeExpired;
        return entry.Expires < time.GetUtcNow() ? ErrorCodes.AuthChallengeExpired : null;
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (key, value) in _open)
        {
            if (value.Expires < now)
                _open.TryRemove(key, out _);
        }
    }
}

/// <summary>
/// Stateless bearer tokens: <c>address.expiryUnix.hmac</c>, HMAC-SHA256 under a key kept in the data dir, so
/// tokens survive a coordinator restart and any replica sharing the key accepts them.
/// </summary>
public sealed class TokenService(byte[] key, TimeProvider time, IOptions<CoordinatorOptions> options)
{
    public (string Token, DateTimeOffset ExpiresAt) Issue(Address address)
    {
        var expires = time.GetUtcNow() + options.Value.TokenLifetime;
        var payload = $"{address}.{expires.ToUnixTimeSeconds()}";
        return ($"{payload}.{Mac(payload)}", DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    public Address? Validate(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || !Address.TryParse(parts[0], out var address) || !long.TryParse(parts[1], out var expiry))
            return null;
        var expected = Encoding.ASCII.GetBytes(Mac($"{parts[0]}.{parts[1]}"));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])))
            return null;
        return DateTimeOffset.FromUnixTimeSeconds(expiry) < time.GetUtcNow() ? null : address;
    }

    public static byte[] LoadOrCreateKey(string dataDir)
    {
        var file = Path.Combine(dataDir, "token.key");
        if (File.Exists(file))
            return Convert.FromHexString(File.ReadAllText(file).Trim());
        Directory.CreateDirectory(dataDir);
        var key = RandomNumberGenerator.GetBytes(32);
        using (var s = new FileStream(file + ".tmp", new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            s.Write(Encoding.ASCII.GetBytes(Convert.ToHexString(key)));
        }
        File.Move(file + ".tmp", file, overwrite: true);
        return key;
    }

    private string Mac(string payload) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payload)));
}

/// <summary>Authenticates <c>Authorization: Bearer</c>; the principal's name is the account address.</summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            return Task.FromResult(AuthenticateResult.NoResult());
        if (tokens.Validate(header["Bearer ".Length..].Trim()) is not { } address)
            return Task.FromResult(AuthenticateResult.Fail("invalid or expired token"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, address.Value)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await Api.Problems.Write(Context, new Rejection(ErrorCodes.AuthRequired,
            "sign in first: POST /v1/auth/challenge, sign it, POST /v1/auth/token, then send Authorization: Bearer <token>"));
    }
}

public static class PrincipalExtensions
{
    /// <summary>The signed-in account. Only call on endpoints that require authorization.</summary>
    public static Address Account(this ClaimsPrincipal user) => Address.Parse(user.Identity?.Name
        ?? throw new InvalidOperationException("endpoint requires authorization but the principal has no name"));
}
