using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Protocol.Escrow;

/// <summary>A <see cref="JobAuthorization"/> to and from its wire form (<see cref="JobAuthorizationView"/>).</summary>
public static class JobAuthorizationWire
{
    public static JobAuthorizationView ToView(this JobAuthorization authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return new JobAuthorizationView(Hex(authorization.Job), Hex(authorization.Nonce), authorization.MaxRatePerHour.ToString(),
            authorization.MaxTotal.ToString(), authorization.Deadline.ToUnixTimeSeconds(), Hex(authorization.Signature));
    }

    /// <summary>Reads the wire form; false with a sentence naming the bad field. Safe on untrusted input.</summary>
    public static bool TryParse(JobAuthorizationView view, out JobAuthorization authorization, out string problem)
    {
        ArgumentNullException.ThrowIfNull(view);
        authorization = null!;
        problem = "";
        if (!Bytes32.TryParse(view.Job, out var job))
            problem = $"authorization.job '{view.Job}' is not 0x and 64 hex digits";
        else if (!Bytes32.TryParse(view.Nonce, out var nonce))
            problem = $"authorization.nonce '{view.Nonce}' is not 0x and 64 hex digits";
        else if (!TokenAmount.TryParse(view.MaxRatePerHour, out var maxRate))
            problem = $"authorization.maxRatePerHour '{view.MaxRatePerHour}' is not an amount of USDC with at most {TokenAmount.Decimals} decimals";
        else if (!TokenAmount.TryParse(view.MaxTotal, out var maxTotal))
            problem = $"authorization.maxTotal '{view.MaxTotal}' is not an amount of USDC with at most {TokenAmount.Decimals} decimals";
        else if (view.Deadline <= 0 || view.Deadline > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            problem = $"authorization.deadline {view.Deadline} is not a time in unix seconds";
        else if (!ReceiptSigning.TryParseSignature(view.Signature, out var signature))
            problem = $"authorization.signature '{view.Signature}' is not 0x and 130 hex digits (65 bytes)";
        else
        {
            authorization = new JobAuthorization(job.ToArray(), nonce.ToArray(), maxRate, maxTotal,
                DateTimeOffset.FromUnixTimeSeconds(view.Deadline), signature);
            return true;
        }
        return false;
    }

    private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
