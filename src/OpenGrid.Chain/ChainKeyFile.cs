using System.Text.Json;
using Nethereum.Web3.Accounts;

namespace OpenGrid.Chain;

/// <summary>Reads the signing key: a JSON file <c>{"privateKey": "0x…"}</c> (the og key.json format).</summary>
public static class ChainKeyFile
{
    public static Account Load(string path, long chainId)
    {
        string? hex;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            hex = doc.RootElement.TryGetProperty("privateKey", out var p) ? p.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidOperationException($"cannot read the chain key file {path}: {e.Message}", e);
        }
        if (string.IsNullOrWhiteSpace(hex))
            throw new InvalidOperationException($"the chain key file {path} has no \"privateKey\"");
        return new Account(hex, chainId);
    }
}
