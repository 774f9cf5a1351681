using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;

namespace OpenGrid.Chain.Relay;

/// <summary>The contract calls a coordinator relays for a user: the token's <c>approve</c> of the escrow and the
/// escrow's own-money functions. Nothing that acts for others (leases, releases) and nothing to another contract.</summary>
public enum UserCall
{
    Approve,
    Deposit,
    Withdraw,
    WithdrawEarnings,
}

/// <summary>
/// Decides whether a decoded <see cref="UserTransaction"/> is one of the <see cref="UserCall"/>s against this
/// deployment. The 4-byte selectors come from the compiled contract artifacts, so they cannot drift from the ABI.
/// </summary>
public static class UserCalls
{
    private static readonly Lazy<Dictionary<string, (string Contract, UserCall Call, int Words)>> Selectors = new(() => new()
    {
        [Selector(ContractArtifact.TestUsdc, "approve")] = ("token", UserCall.Approve, 2),
        [Selector(ContractArtifact.JobEscrow, "deposit")] = ("escrow", UserCall.Deposit, 1),
        [Selector(ContractArtifact.JobEscrow, "withdraw")] = ("escrow", UserCall.Withdraw, 1),
        [Selector(ContractArtifact.JobEscrow, "withdrawEarnings")] = ("escrow", UserCall.WithdrawEarnings, 0),
    });

    /// <summary>The 4-byte selector of <paramref name="function"/> in <paramref name="artifact"/>, lowercase hex without 0x.</summary>
    public static string Selector(ContractArtifact artifact, string function) =>
        artifact.Abi.Functions.Single(f => f.Name == function).Sha3Signature.ToLowerInvariant();

    /// <summary>The call, or null with the reason in <paramref name="refusal"/>.</summary>
    public static UserCall? Classify(UserTransaction tx, ChainDeployment contracts, out string? refusal)
    {
        refusal = null;
        var target = tx.To is null ? null
            : Same(tx.To, contracts.Token) ? "token"
            : Same(tx.To, contracts.Escrow) ? "escrow"
            : null;
        if (target is null)
            return Refused(out refusal, tx.To is null
                ? "it creates a contract; only calls to the token and the escrow are relayed"
                : $"it is sent to {tx.To}, which is neither the token ({contracts.Token}) nor the escrow ({contracts.Escrow})");
        if (tx.Value != BigInteger.Zero)
            return Refused(out refusal, "it sends ETH along; the calls relayed here carry none (value must be 0)");
        if (tx.Data.Length < 4 || !Selectors.Value.TryGetValue(tx.Data.AsSpan(0, 4).ToArray().ToHex(), out var known) || known.Contract != target)
            return Refused(out refusal, target == "token"
                ? "the only token call relayed is approve(escrow, amount)"
                : "the only escrow calls relayed are deposit(amount), withdraw(amount) and withdrawEarnings()");
        if (tx.Data.Length != 4 + 32 * known.Words)
            return Refused(out refusal, $"its call data is {tx.Data.Length} bytes, not the {4 + 32 * known.Words} that {Name(known.Call)} takes");
        if (known.Call == UserCall.Approve)
        {
            var spender = tx.Data.AsSpan(4, 32);
            if (spender[..12].IndexOfAnyExcept((byte)0) >= 0 || !Same("0x" + spender[12..].ToArray().ToHex(), contracts.Escrow))
                return Refused(out refusal, $"approve is relayed only with the escrow ({contracts.Escrow}) as the spender");
        }
        return known.Call;
    }

    /// <summary>How the call reads in Solidity: <c>deposit(amount)</c>.</summary>
    public static string Name(UserCall call) => call switch
    {
        UserCall.Approve => "approve(escrow, amount)",
        UserCall.Deposit => "deposit(amount)",
        UserCall.Withdraw => "withdraw(amount)",
        UserCall.WithdrawEarnings => "withdrawEarnings()",
        _ => call.ToString(),
    };

    private static UserCall? Refused(out string? refusal, string why)
    {
        refusal = why;
        return null;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
