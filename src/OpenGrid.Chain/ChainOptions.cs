namespace OpenGrid.Chain;

/// <summary>
/// Where the contracts live and who signs (configuration section <c>Chain</c>). Defaults fit a local anvil
/// (chain id 31337); for Base Sepolia use chain id 84532, its RPC URL and the deployed addresses
/// (docs/payments.md).
/// </summary>
/// <remarks>
/// A new contract address touches: this class (property + <see cref="Validate"/>), <see cref="ChainDeployment"/>,
/// <see cref="ChainContracts"/>, <see cref="ChainDeployer"/>, <see cref="ChainConnection"/>, the coordinator's
/// <c>SettlementChain</c> and <c>/v1/chain</c>, <c>og dev</c> (<c>DevPayments</c>: arguments and deployment.json), the test
/// harnesses that start a paid coordinator (<c>ChainHarness</c>, <c>PaidDashboardFixture</c>), the settlement bench, and
/// the configuration tables in docs/payments.md.
/// </remarks>
public sealed class ChainOptions
{
    public const string SectionName = "Chain";

    /// <summary>JSON-RPC endpoint. Default <c>http://127.0.0.1:8545</c>.</summary>
    public string RpcUrl { get; set; } = "http://127.0.0.1:8545";

    /// <summary>EIP-155 chain id the node must report; transactions are signed for it. Default 31337 (anvil).</summary>
    public long ChainId { get; set; } = 31337;

    /// <summary>The settlement token (TestUSDC in development, a 6-decimal stablecoin otherwise).</summary>
    public string? TokenAddress { get; set; }

    public string? EscrowAddress { get; set; }

    public string? RegistryAddress { get; set; }

    public string? ReputationAddress { get; set; }

    /// <summary>
    /// The ReceiptVerifier: the <c>verifyingContract</c> of the EIP-712 domain providers sign receipts in when payments
    /// are on (docs/receipts.md). Stateless; <see cref="ChainDeployer"/> deploys it with the others.
    /// </summary>
    public string? ReceiptVerifierAddress { get; set; }

    /// <summary>JSON file <c>{"privateKey": "0x…"}</c> (the same format as <c>~/.opengrid/key.json</c>), mode 0600.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Every problem with these settings, each naming the setting and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "ws" or "wss"))
            errors.Add($"{SectionName}:RpcUrl '{RpcUrl}' is not an http(s) or ws(s) URL; set it to the node's JSON-RPC endpoint, e.g. https://sepolia.base.org");
        if (ChainId <= 0)
            errors.Add($"{SectionName}:ChainId must be positive; use 31337 for anvil or 84532 for Base Sepolia");
        CheckAddress(errors, nameof(TokenAddress), TokenAddress);
        CheckAddress(errors, nameof(EscrowAddress), EscrowAddress);
        CheckAddress(errors, nameof(RegistryAddress), RegistryAddress);
        CheckAddress(errors, nameof(ReputationAddress), ReputationAddress);
        CheckAddress(errors, nameof(ReceiptVerifierAddress), ReceiptVerifierAddress);
        if (string.IsNullOrWhiteSpace(KeyFile))
            errors.Add($"{SectionName}:KeyFile is not set; point it at a key file such as ~/.opengrid/key.json");
        else if (!File.Exists(KeyFile))
            errors.Add($"{SectionName}:KeyFile '{KeyFile}' does not exist; create it or fix the path");
        return errors;
    }

    private static void CheckAddress(List<string> errors, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add($"{SectionName}:{name} is not set; deploy the contracts (docs/payments.md) and set the address");
        else if (!ChainAddress.IsValid(value))
            errors.Add($"{SectionName}:{name} '{value}' is not a 0x-prefixed 20-byte hex address");
    }
}

/// <summary>Checks for 0x-prefixed 20-byte hex addresses.</summary>
public static class ChainAddress
{
    public const string Zero = "0x0000000000000000000000000000000000000000";

    public static bool IsValid(string? value) =>
        value is { Length: 42 } && value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && !value.AsSpan(2).ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
