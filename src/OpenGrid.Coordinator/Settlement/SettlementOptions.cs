namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// How the settlement worker drives the chain, section <c>Coordinator:Settlement</c>. Settlement itself is switched on
/// by setting <c>Coordinator:Chain:RpcUrl</c> (with the rest of <see cref="OpenGrid.Chain.ChainOptions"/>).
/// </summary>
public sealed class SettlementOptions
{
    public const string SectionName = "Coordinator:Settlement";

    /// <summary>How many jobs' intents are sent at once (each job's intents stay in order). Default 16: against anvil
    /// one lane settles ~25 intents/s, 16 lanes ~130/s (docs/benchmarks.md); on a chain with slow blocks, lanes matter more.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>Wait before retrying an intent after an RPC error or timeout; doubles per failure up to
    /// <see cref="MaxRetryBackoff"/>. Default 1 s.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries of an intent. Default 1 minute.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long to wait for a transaction's receipt before treating the send as unknown (the chain is
    /// read before it is sent again). Default 2 minutes.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Blocks a settlement transaction must be deep before its intent counts as done (1 = mined). Default 1 (anvil
    /// and L2s with fast finality); use more on chains that reorganise. The wait is bounded by <see cref="SendTimeout"/>.
    /// </summary>
    public int Confirmations { get; set; } = 1;

    /// <summary>
    /// How often a running streaming lease is paid for the time the coordinator has seen it run (one
    /// <c>releaseStreaming</c> per lease per interval, ≈59k gas each after the first). Default 1 minute; at least 1 s.
    /// </summary>
    public TimeSpan StreamInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the worker looks for due intents when nothing wakes it. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The JSON-RPC URL <c>GET /v1/chain</c> gives clients; default the coordinator's own
    /// <c>Coordinator:Chain:RpcUrl</c>. Set it when that URL carries an API key or is not reachable by users.</summary>
    public string? PublicRpcUrl { get; set; }

    /// <summary>The delay before retry number <paramref name="failures"/> (1 or more): exponential, capped.</summary>
    public TimeSpan BackoffAfter(int failures) =>
        TimeSpan.FromTicks(Math.Min(RetryBackoff.Ticks * (1L << Math.Clamp(failures - 1, 0, 20)), MaxRetryBackoff.Ticks));

    internal IEnumerable<string> Validate()
    {
        if (Concurrency is < 1 or > 256)
            yield return $"{SectionName}:Concurrency must be between 1 and 256, e.g. 8";
        if (Confirmations is < 1 or > 1000)
            yield return $"{SectionName}:Confirmations must be between 1 and 1000, e.g. 3";
        if (RetryBackoff <= TimeSpan.Zero || MaxRetryBackoff < RetryBackoff)
            yield return $"{SectionName}:RetryBackoff must be positive and {SectionName}:MaxRetryBackoff at least as long, e.g. 00:00:01 and 00:01:00";
        if (SendTimeout <= TimeSpan.Zero)
            yield return $"{SectionName}:SendTimeout must be positive, e.g. 00:02:00";
        if (StreamInterval < TimeSpan.FromSeconds(1) || StreamInterval > TimeSpan.FromDays(1))
            yield return $"{SectionName}:StreamInterval must be between 00:00:01 and 1.00:00:00, e.g. 00:01:00 (each interval costs a transaction per running streaming job)";
        if (PollInterval <= TimeSpan.Zero)
            yield return $"{SectionName}:PollInterval must be positive, e.g. 00:00:01";
        if (PublicRpcUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            yield return $"{SectionName}:PublicRpcUrl '{url}' is not an absolute URL; set the JSON-RPC URL clients should use, or remove it";
    }
}
