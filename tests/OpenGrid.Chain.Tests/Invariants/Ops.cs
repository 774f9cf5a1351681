namespace OpenGrid.Chain.Tests.Invariants;

// One step of a generated scenario. Amounts are given as intents (a percentage of what the model holds at the
// time), so that most steps are meaningful and some deliberately overshoot to exercise every revert.

/// <summary>A step of a generated scenario.</summary>
public abstract record Op;

public sealed record Deposit(int Requester, long Amount) : Op;

/// <summary>Withdraws <see cref="Percent"/>% of the available balance (101% overshoots by design).</summary>
public sealed record Withdraw(int Requester, int Percent) : Op;

/// <summary>
/// Opens lease #<see cref="Lease"/> with a cap of <see cref="CapPercent"/>% of the requester's available balance, under
/// the requester's authorization of job <see cref="Job"/>: 0 a budget (<see cref="MoneyModel.JobBudget"/> in all), 1 a
/// rate limit (<see cref="MoneyModel.JobMaxRate"/> per hour), 2 one the other requester signed (never valid).
/// </summary>
public sealed record Open(int Lease, int Requester, int Provider, long RatePerHour, int CapPercent, int Job = 0) : Op;

/// <summary>Releases up to <see cref="Percent"/>% of the seconds left before the cap; 0 replays the last release.</summary>
public sealed record Release(int Lease, int Percent, bool Milestone) : Op;

public sealed record Close(int Lease) : Op;

/// <summary>Account 0–1: providers, 2: treasury.</summary>
public sealed record WithdrawEarnings(int Account) : Op;

/// <summary>Kind 0: one unit below the minimum bond, 1: the minimum, 2: a 3 USDC top-up.</summary>
public sealed record Bond(int Provider, int Kind) : Op;

public sealed record RequestUnbond(int Provider, int Percent) : Op;

/// <summary>Waits out the unbonding delay, then withdraws.</summary>
public sealed record WithdrawUnbonded(int Provider) : Op;

/// <summary>Slashes <see cref="Percent"/>% of the provider's stake; <see cref="Harmed"/> −1 for none (a canary).</summary>
public sealed record Slash(int Provider, int Percent, int Harmed) : Op;

/// <summary>Account 0–1: requesters, 2: treasury.</summary>
public sealed record WithdrawCompensation(int Account) : Op;
