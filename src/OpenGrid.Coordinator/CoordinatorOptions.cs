using OpenGrid.Core.Trust;

namespace OpenGrid.Coordinator;

/// <summary>The database's commit durability (<c>Coordinator:StoreSync</c>).</summary>
public enum StoreSync
{
    /// <summary>Durable against a crash of the process; a power loss may roll back the last commits.</summary>
    Normal,

    /// <summary>Every commit fsynced: durable against a power loss.</summary>
    Full,
}

/// <summary>Coordinator settings, section <c>Coordinator</c> (e.g. <c>--Coordinator:DataDir=/var/lib/opengrid</c>).</summary>
public sealed class CoordinatorOptions
{
    public const string SectionName = "Coordinator";

    /// <summary>Folder for the database, the content store and the token key. Default <c>.opengrid/coordinator</c>.</summary>
    public string DataDir { get; set; } = Path.Combine(".opengrid", "coordinator");

    /// <summary>
    /// How far a committed change is durable (ADR 0010): <c>normal</c> (default) survives a crash or kill of the
    /// coordinator process, and a power loss may roll back the last commits; <c>full</c> fsyncs every commit and survives
    /// a power loss, at a few milliseconds per commit on a typical cloud disk.
    /// </summary>
    public StoreSync StoreSync { get; set; } = StoreSync.Normal;

    /// <summary>Largest object the content store accepts, in bytes. Default 1 GiB.</summary>
    public long MaxContentBytes { get; set; } = 1L << 30;

    /// <summary>Bearer token lifetime. Default 1 hour.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a sign-in challenge may be answered. Default 5 minutes.</summary>
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Seconds between provider heartbeats that the coordinator asks for. Default 2.</summary>
    public int HeartbeatSeconds { get; set; } = 2;

    /// <summary>Seconds past a missed heartbeat before a silent provider loses its leases. Default 3.</summary>
    public int LeaseGraceSeconds { get; set; } = 3;

    /// <summary>
    /// After a coordinator start, how long providers it has not heard from yet keep their leases: they need time to
    /// notice the restart and dial again (their reconnect backoff tops out at 2 s). Default 10.
    /// </summary>
    public int RestartGraceSeconds { get; set; } = 10;

    /// <summary>Attempts a job gets before it fails for good when its leases keep being lost. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry of a lost lease; doubles per attempt up to 30 s. Default 1 s.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Verification and reputation settings, section <c>Coordinator:Trust</c>.</summary>
    public TrustSettings Trust { get; set; } = new();

    /// <summary>How long a provider may stay silent before its leases are lost: heartbeat + grace.</summary>
    public TimeSpan LeaseTimeout => TimeSpan.FromSeconds(HeartbeatSeconds + LeaseGraceSeconds);

    /// <summary>The delay before attempt <paramref name="nextAttempt"/> (2 or more): exponential, capped at 30 s.</summary>
    public TimeSpan BackoffBefore(int nextAttempt) =>
        TimeSpan.FromTicks(Math.Min(RetryBackoff.Ticks * (1L << Math.Clamp(nextAttempt - 2, 0, 20)), TimeSpan.FromSeconds(30).Ticks));

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
            yield return "Coordinator:DataDir is empty; set it to a writable folder, e.g. --Coordinator:DataDir=.opengrid/coordinator";
        if (MaxContentBytes <= 0)
            yield return "Coordinator:MaxContentBytes must be positive (bytes), e.g. 1073741824";
        if (TokenLifetime <= TimeSpan.Zero || ChallengeLifetime <= TimeSpan.Zero)
            yield return "Coordinator:TokenLifetime and Coordinator:ChallengeLifetime must be positive, e.g. 01:00:00";
        if (HeartbeatSeconds is < 1 or > 300)
            yield return "Coordinator:HeartbeatSeconds must be between 1 and 300";
        if (LeaseGraceSeconds is < 0 or > 3600)
            yield return "Coordinator:LeaseGraceSeconds must be between 0 and 3600";
        if (MaxAttempts is < 1 or > 100)
            yield return "Coordinator:MaxAttempts must be between 1 and 100";
        if (RetryBackoff < TimeSpan.Zero)
            yield return "Coordinator:RetryBackoff must not be negative, e.g. 00:00:01";
        foreach (var error in Trust.Validate())
            yield return error;
    }
}

/// <summary>
/// How results are verified and providers scored (<c>Coordinator:Trust:*</c>). The policy itself is
/// <c>OpenGrid.Core.Trust</c>; docs/trust.md explains the defaults.
/// </summary>
public sealed class TrustSettings
{
    /// <summary>Providers whose reputation is below this are not matched at all. Default 0.3.</summary>
    public double ReputationFloor { get; set; } = 0.3;

    /// <summary>Half-life of the decay of a reputation toward neutral. Default 7 days.</summary>
    public TimeSpan ReputationHalfLife { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Valid results in a row (per job class) after which a provider's jobs are replicated only with probability 1/streak. Default 10.</summary>
    public int TrustedStreak { get; set; } = 10;

    /// <summary>Replicas launched beyond the requested ones when results disagree, before the job fails. Default 2.</summary>
    public int MaxExtraReplicas { get; set; } = 2;

    /// <summary>The least probability a trusted provider's verified job is still replicated, whatever its streak
    /// (docs/trust.md, low-rate cheaters). Default 0.1.</summary>
    public double MinReplicationProbability { get; set; } = ReplicationOptions.Default.MinProbability;

    /// <summary>Probability that a submitted job of a class with canaries brings a canary job with it. Default 0.05.</summary>
    public double CanaryRate { get; set; } = 0.05;

    /// <summary>
    /// Folder of canary jobs: one sub-folder per canary with <c>job.yaml</c>, its input files and the known answers under
    /// <c>expected/</c>. Default: the <c>canaries</c> folder of the data dir (none there: no canaries).
    /// </summary>
    public string? CanaryDir { get; set; }

    /// <summary>The least delay between a real job and the canary it triggers. Default 0.</summary>
    public TimeSpan CanaryMinDelay { get; set; } = CanaryOptions.Default.MinDelay;

    /// <summary>The most delay between a real job and its canary (uniform between the two). Default 10 minutes.</summary>
    public TimeSpan CanaryMaxDelay { get; set; } = CanaryOptions.Default.MaxDelay;

    /// <summary>The least reputation each of the (two or more) agreeing providers of a donated job needs for the job
    /// to be kept as a canary. Default 0.6.</summary>
    public double HarvestMinReputation { get; set; } = CanaryOptions.Default.HarvestMinReputation;

    /// <summary>
    /// The account canaries are submitted as (0x address) when no <see cref="CanaryKeyFile"/> is set, i.e. with payments
    /// off. Default: an address derived from a fixed phrase, which submits nothing else.
    /// </summary>
    public string? CanaryAccount { get; set; }

    /// <summary>
    /// The canary accounts' keys: a JSON file <c>{"privateKeys": ["0x…", …]}</c> (a pool of 1 to 64; each canary is
    /// submitted, authorized and paid by one of them at random) or <c>{"privateKey": "0x…"}</c>, mode 0600. Required with
    /// payments on (<c>Coordinator:Chain:RpcUrl</c>) unless <see cref="CanaryRate"/> is 0: canaries then lease and are
    /// paid like real jobs, from these accounts' escrow deposits (docs/trust.md). <c>og dev</c> writes and funds
    /// <c>&lt;data&gt;/chain/canary-keys.json</c>.
    /// </summary>
    public string? CanaryKeyFile { get; set; }

    /// <summary>The canary settings in Core's terms.</summary>
    public CanaryOptions Canary => new()
    {
        Rate = CanaryRate,
        MinDelay = CanaryMinDelay,
        MaxDelay = CanaryMaxDelay,
        HarvestMinReputation = HarvestMinReputation,
    };

    /// <summary>The adaptive replication settings in Core's terms.</summary>
    public ReplicationOptions Replication => new()
    {
        TrustedStreak = TrustedStreak,
        ExtraReplicas = MaxExtraReplicas,
        MinProbability = MinReplicationProbability,
    };

    /// <summary>
    /// Whether a provider's <c>job_finished</c> must carry a signed receipt (it is refused without one). Default true;
    /// only tests that drive the gateway by hand turn it off.
    /// </summary>
    public bool RequireReceipts { get; set; } = true;

    /// <summary>
    /// With payments on, how much of a provider's bond a failed canary slashes (USDC; at most its stake), all of it to
    /// the treasury. Default 10 (the dev registry's minimum bond).
    /// </summary>
    public string CanarySlash { get; set; } = "10";

    /// <summary><see cref="CanarySlash"/> in token base units.</summary>
    public Core.TokenAmount CanarySlashAmount => Core.TokenAmount.TryParse(CanarySlash, out var amount) ? amount : Core.TokenAmount.FromBaseUnits(0);

    /// <summary>With payments on, how often reputations are published to the ReputationRegistry contract. Default 5 minutes.</summary>
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromMinutes(5);

    internal IEnumerable<string> Validate()
    {
        if (ReputationFloor is < 0 or > 1 || double.IsNaN(ReputationFloor))
            yield return "Coordinator:Trust:ReputationFloor must be between 0 and 1, e.g. 0.3";
        if (ReputationHalfLife <= TimeSpan.Zero)
            yield return "Coordinator:Trust:ReputationHalfLife must be positive, e.g. 7.00:00:00";
        if (TrustedStreak < 1)
            yield return "Coordinator:Trust:TrustedStreak must be at least 1, e.g. 10";
        if (MaxExtraReplicas is < 0 or > 16)
            yield return "Coordinator:Trust:MaxExtraReplicas must be between 0 and 16";
        if (!Core.TokenAmount.TryParse(CanarySlash, out _))
            yield return $"Coordinator:Trust:CanarySlash '{CanarySlash}' is not a USDC amount (at most 6 decimals), e.g. 10";
        if (PublishInterval <= TimeSpan.Zero)
            yield return "Coordinator:Trust:PublishInterval must be positive, e.g. 00:05:00";
        if (CanaryRate is < 0 or > 1 || double.IsNaN(CanaryRate))
            yield return "Coordinator:Trust:CanaryRate must be between 0 and 1, e.g. 0.05";
        if (MinReplicationProbability is < 0 or > 1 || double.IsNaN(MinReplicationProbability))
            yield return "Coordinator:Trust:MinReplicationProbability must be between 0 and 1, e.g. 0.1";
        if (CanaryMinDelay < TimeSpan.Zero || CanaryMaxDelay < CanaryMinDelay)
            yield return "Coordinator:Trust:CanaryMinDelay and CanaryMaxDelay must satisfy 0 ≤ CanaryMinDelay ≤ CanaryMaxDelay, e.g. 00:00:00 and 00:10:00";
        if (HarvestMinReputation is < 0 or > 1 || double.IsNaN(HarvestMinReputation))
            yield return "Coordinator:Trust:HarvestMinReputation must be between 0 and 1, e.g. 0.6";
        if (CanaryAccount is not null && !Core.Jobs.Address.TryParse(CanaryAccount, out _))
            yield return $"Coordinator:Trust:CanaryAccount '{CanaryAccount}' is not an address (0x and 40 hex digits); leave it unset for the default";
        if (CanaryKeyFile is { Length: > 0 } keyFile)
        {
            if (Verification.CanaryKeyFile.Problem(keyFile) is { } problem)
                yield return $"Coordinator:Trust:CanaryKeyFile '{keyFile}' does not load: {problem}; point it at a JSON file " +
                    "{\"privateKeys\": [\"0x…\", …]} holding the canary accounts' keys (og dev writes <data>/chain/canary-keys.json)";
            if (CanaryAccount is not null)
                yield return "Coordinator:Trust:CanaryAccount and Coordinator:Trust:CanaryKeyFile are both set; with a key file the canary " +
                    "accounts are its keys' addresses: remove CanaryAccount";
        }
    }

    /// <summary>
    /// What payments (<c>Coordinator:Chain:RpcUrl</c> set) add to these settings: canaries are paid like real jobs, so
    /// unless none are injected the coordinator needs the canary accounts' keys.
    /// </summary>
    internal IEnumerable<string> ValidateWithPayments()
    {
        if (CanaryRate > 0 && string.IsNullOrWhiteSpace(CanaryKeyFile))
            yield return "Coordinator:Trust:CanaryKeyFile is not set, but with payments on (Coordinator:Chain:RpcUrl) canaries are paid " +
                "like real jobs from canary accounts the coordinator holds the keys of: point it at a JSON file {\"privateKeys\": " +
                "[\"0x…\", …]} whose accounts have an escrow deposit (og dev writes <data>/chain/canary-keys.json), or set " +
                "Coordinator:Trust:CanaryRate=0 to inject no canaries";
    }
}
