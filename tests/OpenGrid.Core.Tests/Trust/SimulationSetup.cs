using OpenGrid.Core.Specs;
using OpenGrid.Core.Trust;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>
/// The dishonest share of the providers, by kind, and how often each kind cheats. Random-answer and lazy providers
/// cheat independently; colluders share one wrong answer per job and, by default, cheat only when another member of
/// the cartel holds a replica of the same job (they compare input hashes on a side channel), since a lone wrong answer
/// risks being outvoted or failing a canary.
/// </summary>
public sealed record Population(double RandomAnswers, double Lazy, double Colluding)
{
    /// <summary>10% dishonest: 4% random answers, 4% lazy, 2% colluding.</summary>
    public static readonly Population Default = new(0.04, 0.04, 0.02);

    /// <summary>Share of its jobs a random-answer provider answers at random (a broken or malicious machine). Default 1.</summary>
    public double RandomCheatRate { get; init; } = 1.0;

    /// <summary>Share of its jobs a lazy provider skips, returning a plausible output within a few percent of the truth. Default 0.3.</summary>
    public double LazyCheatRate { get; init; } = 0.3;

    /// <summary>Share of its jobs a colluder cheats on when no other cartel member holds a replica. Default 0.</summary>
    public double ColludingSoloCheatRate { get; init; }

    /// <summary>Whether random-answer and lazy providers cheat only on jobs whose spec asks for one replica (the spec
    /// reaches the provider, so it can tell), leaving those to the canaries alone. Default false.</summary>
    public bool TargetUnverified { get; init; }

    public double Dishonest => RandomAnswers + Lazy + Colluding;
}

/// <summary>One job class of the simulated workload: its class key, whether it needs a GPU provider, its share of jobs.</summary>
public sealed record SimulatedClass(JobClass Class, bool NeedsGpu, double Weight);

/// <summary>A verify policy requested by a share of the jobs.</summary>
public sealed record RequestedVerify(VerifyPolicy Policy, double Weight);

/// <summary>Everything a simulation run depends on; the same setup always gives the same report.</summary>
public sealed record SimulationSetup
{
    public int Seed { get; init; } = 20_260_101;
    public int Jobs { get; init; } = 100_000;
    public int Providers { get; init; } = 200;

    /// <summary>Share of providers with a GPU; GPU classes run only there.</summary>
    public double GpuProviders { get; init; } = 0.3;

    public Population Population { get; init; } = Population.Default;

    /// <summary>Fake time between job submissions: 100,000 jobs span about two weeks, two reputation half-lives.</summary>
    public TimeSpan JobInterval { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>Share of an honest provider's executions that end without a result (timeouts, lost leases).</summary>
    public double FailureRate { get; init; } = 0.005;

    /// <summary>Share of an honest provider's results that are wrong anyway (bad hardware, nondeterminism beyond tolerance).</summary>
    public double HonestFaultRate { get; init; } = 1e-4;

    /// <summary>Share of replicated jobs whose requester forces full replication.</summary>
    public double ForceFullRate { get; init; } = 0.02;

    /// <summary>Share of jobs in the first phase (warm-up); the rest is the steady state.</summary>
    public double WarmUp { get; init; } = 0.1;

    public IReadOnlyList<SimulatedClass> Classes { get; init; } =
    [
        new(JobClass.Of(Spec(gpus: 0)), false, 0.4),
        new(JobClass.Of(Spec(gpus: 0, "blender")), false, 0.2),
        new(JobClass.Of(Spec(gpus: 1)), true, 0.25),
        new(JobClass.Of(Spec(gpus: 1, "python3-torch")), true, 0.15),
    ];

    /// <summary>Half the jobs ask for no verification, 40% for 2 of 2, 10% for 2 of 3.</summary>
    public IReadOnlyList<RequestedVerify> VerifyMix { get; init; } =
    [
        new(VerifyPolicy.Single, 0.5),
        new(new VerifyPolicy(2, 2), 0.4),
        new(new VerifyPolicy(3, 2), 0.1),
    ];

    public ReputationOptions Reputation { get; init; } = ReputationOptions.Default;
    public ReplicationOptions Replication { get; init; } = ReplicationOptions.Default;
    public CanaryOptions Canary { get; init; } = CanaryOptions.Default;
    public AuditOptions Audit { get; init; } = AuditOptions.Default;

    private static JobSpec Spec(int gpus, params string[] requires) => new()
    {
        Name = "simulated",
        Runtime = new ProcessRuntime(["true"], [], new Dictionary<string, string>()),
        Resources = ResourceRequest.Default with { Gpu = gpus == 0 ? GpuRequest.None : new GpuRequest(gpus, null, 0) },
        Requires = requires,
    };
}
