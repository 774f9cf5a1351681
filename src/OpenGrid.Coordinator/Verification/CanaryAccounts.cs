using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// Who canaries are submitted as. With <c>Coordinator:Trust:CanaryKeyFile</c>, a small pool of accounts whose keys the
/// coordinator holds: each canary is drawn one of them, which signs its job authorization and pays its leases from its
/// escrow deposit, so paid canaries do not all lease from one address (docs/trust.md). Without it, one address that
/// signs nothing (<c>Coordinator:Trust:CanaryAccount</c>, or <see cref="DefaultAccount"/>): enough with payments off,
/// where nothing is leased.
/// </summary>
public sealed class CanaryAccounts
{
    /// <summary>The account canaries are submitted as without a key file, unless <c>Coordinator:Trust:CanaryAccount</c>
    /// names another. Providers never see a job's requester; the chain would, if canaries were paid.</summary>
    public static readonly Address DefaultAccount = Address.Parse("0x" + Convert.ToHexStringLower(SHA256.HashData("opengrid canary account"u8)[..20]));

    private readonly IReadOnlyList<Identity> _keys;
    private readonly Address _unsigned;

    public CanaryAccounts(IOptions<CoordinatorOptions> options)
    {
        var trust = options.Value.Trust;
        // Validated at start (CanaryKeyFile.Problem): a file that does not load stops the coordinator before this runs.
        _keys = trust.CanaryKeyFile is { Length: > 0 } file ? CanaryKeyFile.Load(file) : [];
        _unsigned = trust.CanaryAccount is { } configured ? Address.Parse(configured) : DefaultAccount;
    }

    /// <summary>Whether the coordinator holds canary keys, so canaries can be paid.</summary>
    public bool CanSign => _keys.Count > 0;

    /// <summary>Every canary account, in the key file's order (the one unsigned address without a key file).</summary>
    public IReadOnlyList<Address> Addresses => CanSign ? [.. _keys.Select(k => k.Address)] : [_unsigned];

    /// <summary>The pool in a fresh random order: the first that can pay for a canary takes it.</summary>
    public IReadOnlyList<Identity> Shuffled()
    {
        var order = _keys.ToArray();
        Random.Shared.Shuffle(order);
        return order;
    }

    /// <summary>The account an unpaid canary is submitted as: one of the pool at random, or the unsigned address.</summary>
    public Address PickUnpaid() => CanSign ? _keys[Random.Shared.Next(_keys.Count)].Address : _unsigned;
}

/// <summary>
/// The canary accounts' key file: <c>{"privateKeys": ["0x…", …]}</c> (a pool), or og's <c>key.json</c> format
/// <c>{"privateKey": "0x…"}</c> (one account). Keep it mode 0600: it holds money.
/// </summary>
public static class CanaryKeyFile
{
    /// <summary>The most accounts one file may hold.</summary>
    public const int MaxKeys = 64;

    /// <exception cref="InvalidDataException">The file is missing, unreadable, or holds no valid key.</exception>
    public static IReadOnlyList<Identity> Load(string path)
    {
        List<string?> hex;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("privateKeys", out var many) && many.ValueKind == JsonValueKind.Array)
                hex = [.. many.EnumerateArray().Select(k => k.ValueKind == JsonValueKind.String ? k.GetString() : null)];
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("privateKey", out var one) && one.ValueKind == JsonValueKind.String)
                hex = [one.GetString()];
            else
                throw new InvalidDataException("it holds neither \"privateKeys\" (a list) nor \"privateKey\"");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidDataException($"it cannot be read ({e.Message})", e);
        }
        if (hex.Count is 0 or > MaxKeys)
            throw new InvalidDataException($"it must hold 1 to {MaxKeys} keys, not {hex.Count}");
        var keys = new List<Identity>();
        for (var i = 0; i < hex.Count; i++)
        {
            var digits = hex[i] is { } text && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : hex[i];
            if (digits is not { Length: 64 } || !digits.All(char.IsAsciiHexDigit))
                throw new InvalidDataException($"key {i} is not a secp256k1 private key (0x and 64 hex digits)");
            try
            {
                keys.Add(Identity.FromPrivateKey(digits));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
            {
                throw new InvalidDataException($"key {i} is not a secp256k1 private key (0x and 64 hex digits)", e);
            }
        }
        if (keys.Select(k => k.Address).Distinct().Count() != keys.Count)
            throw new InvalidDataException("it holds the same key twice");
        return keys;
    }

    /// <summary>What is wrong with the file, or null when it loads.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
            return "it does not exist";
        try
        {
            Load(path);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }
}
