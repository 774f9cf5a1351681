using System.Text.Json;
using Nethereum.Signer;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Identity;

/// <summary>
/// An account: a secp256k1 key pair whose Ethereum address identifies a requester or provider. The same key later
/// signs receipts and holds money.
/// </summary>
public sealed class Identity
{
    private readonly EthECKey _key;

    private Identity(EthECKey key)
    {
        _key = key;
        Address = Address.Parse(key.GetPublicAddress());
    }

    public Address Address { get; }

    public static Identity Generate() => new(EthECKey.GenerateKey());

    public static Identity FromPrivateKey(string hex) => new(new EthECKey(hex));

    /// <summary>Signs text as EIP-191 <c>personal_sign</c> does; returns 0x-prefixed 65-byte hex.</summary>
    public string SignMessage(string message) => new EthereumMessageSigner().EncodeUTF8AndSign(message, _key);

    /// <summary>The address that signed <paramref name="message"/>, or null when the signature is malformed.</summary>
    public static Address? RecoverSigner(string message, string signature)
    {
        try
        {
            var recovered = new EthereumMessageSigner().EncodeUTF8AndEcRecover(message, signature);
            return Address.TryParse(recovered, out var a) ? a : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    internal string PrivateKeyHex => _key.GetPrivateKey();
}

/// <summary>
/// Where an account's key lives: <c>$OPENGRID_HOME/key.json</c> (default <c>~/.opengrid</c>), created on first use,
/// readable only by its owner (mode 0600).
/// </summary>
public static class KeyStore
{
    public const string HomeVariable = "OPENGRID_HOME";
    public const string KeyFileName = "key.json";

    public static string DefaultHome() =>
        Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".opengrid");

    public static Identity LoadOrCreate(string home)
    {
        var file = Path.Combine(home, KeyFileName);
        if (File.Exists(file))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var hex = doc.RootElement.GetProperty("privateKey").GetString()
                ?? throw new InvalidDataException($"{file} has no privateKey");
            return Identity.FromPrivateKey(hex);
        }

        Directory.CreateDirectory(home);
        var identity = Identity.Generate();
        var tmp = file + ".tmp";
        using (var stream = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("address", identity.Address.Value);
            writer.WriteString("privateKey", identity.PrivateKeyHex);
            writer.WriteEndObject();
        }
        File.Move(tmp, file, overwrite: false);
        return identity;
    }
}
