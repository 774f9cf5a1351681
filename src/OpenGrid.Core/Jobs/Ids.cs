namespace OpenGrid.Core.Jobs;

/// <summary>Identifies a job. Version-7 GUIDs, so ids sort by creation time.</summary>
public readonly record struct JobId(Guid Value)
{
    public static JobId New(TimeProvider time) => new(Guid.CreateVersion7(time.GetUtcNow()));

    public static bool TryParse(string? text, out JobId id)
    {
        if (Guid.TryParseExact(text, "N", out var g) || Guid.TryParseExact(text, "D", out g))
        {
            id = new JobId(g);
            return true;
        }
        id = default;
        return false;
    }

    public static JobId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a job id (32 hex digits)");

    public override string ToString() => Value.ToString("N");
}

/// <summary>An Ethereum account address, lower-case hex with 0x prefix. Identifies requesters and providers.</summary>
public readonly record struct Address
{
    public string Value { get; }

    private Address(string value) => Value = value;

    public static bool TryParse(string? text, out Address address)
    {
        address = default;
        if (text is null || text.Length != 42 || !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return false;
        for (var i = 2; i < text.Length; i++)
            if (!Uri.IsHexDigit(text[i]))
                return false;
        address = new Address(text.ToLowerInvariant());
        return true;
    }

    public static Address Parse(string text) =>
        TryParse(text, out var a) ? a : throw new FormatException($"'{text}' is not a 0x-prefixed 20-byte hex address");

    public override string ToString() => Value;
}
