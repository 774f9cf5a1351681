using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpenGrid.Core.Trust;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>Reputation arithmetic: bounds, direction, decay toward neutral, and "slow to earn, fast to lose".</summary>
public sealed class ReputationTests
{
    private static readonly ReputationOptions Options = ReputationOptions.Default;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TrustEvent[] Gains = [TrustEvent.VerifiedResult, TrustEvent.CanaryPassed];
    private static readonly TrustEvent[] Losses = [TrustEvent.Disagreed, TrustEvent.Outvoted, TrustEvent.CanaryFailed, TrustEvent.TimedOut, TrustEvent.LeaseLost, TrustEvent.Cancelled];
    private const double Exact = 1e-12;

    [Fact]
    public void A_newcomer_starts_at_neutral_and_stays_there_without_events()
    {
        var standing = Standing.Newcomer(T0, Options);

        Assert.Equal(Options.Neutral, Reputation.ScoreAt(standing, T0 + TimeSpan.FromDays(100), Options));
    }

    [Fact]
    public void A_failed_canary_drops_even_a_perfect_score_to_zero()
    {
        var standing = Reputation.Apply(new Standing(1.0, T0), TrustEvent.CanaryFailed, T0, Options);

        Assert.Equal(0.0, standing.Score);
        Assert.False(Reputation.IsMatchable(standing.Score, Options));
    }

    [Fact]
    public void A_newcomers_first_disagreement_puts_it_below_the_match_floor_but_an_established_provider_survives_one()
    {
        var newcomer = Reputation.Apply(Standing.Newcomer(T0, Options), TrustEvent.Disagreed, T0, Options);
        var established = Reputation.Apply(new Standing(0.9, T0), TrustEvent.Disagreed, T0, Options);

        Assert.False(Reputation.IsMatchable(newcomer.Score, Options));
        Assert.True(Reputation.IsMatchable(established.Score, Options));
    }

    [Fact]
    public void A_provider_at_zero_is_matchable_again_after_decay_alone_in_about_nine_days()
    {
        var caught = new Standing(0, T0);

        Assert.False(Reputation.IsMatchable(Reputation.ScoreAt(caught, T0 + TimeSpan.FromDays(9), Options), Options));
        Assert.True(Reputation.IsMatchable(Reputation.ScoreAt(caught, T0 + TimeSpan.FromDays(9.5), Options), Options));
    }

    [Fact]
    public void The_default_losses_are_5_25_50_and_100_verified_results()
    {
        var gain = Reputation.Change(TrustEvent.VerifiedResult, Options);

        Assert.Equal(gain, Reputation.Change(TrustEvent.CanaryPassed, Options));
        Assert.Equal(-5, Reputation.Change(TrustEvent.TimedOut, Options) / gain, Exact);
        Assert.Equal(-5, Reputation.Change(TrustEvent.LeaseLost, Options) / gain, Exact);
        Assert.Equal(-5, Reputation.Change(TrustEvent.Cancelled, Options) / gain, Exact);
        Assert.Equal(-25, Reputation.Change(TrustEvent.Disagreed, Options) / gain, Exact);
        Assert.Equal(-50, Reputation.Change(TrustEvent.Outvoted, Options) / gain, Exact);
        Assert.Equal(-100, Reputation.Change(TrustEvent.CanaryFailed, Options) / gain, Exact);
    }

    [Theory]
    [InlineData(new[] { 0.6, 0.95 }, TrustEvent.Outvoted)]
    [InlineData(new[] { 0.9, 0.9, 0.7 }, TrustEvent.Outvoted)]
    [InlineData(new[] { 0.95, 0.59 }, TrustEvent.Disagreed)]
    [InlineData(new[] { 1.0 }, TrustEvent.Disagreed)]
    [InlineData(new double[0], TrustEvent.Disagreed)]
    public void A_dissenter_is_outvoted_only_by_two_or_more_winners_who_are_all_reputable(double[] winnerScores, TrustEvent expected)
    {
        Assert.Equal(expected, Reputation.DissentEvent(winnerScores, Options));
    }

    [Fact]
    public void An_outvoted_established_provider_stays_matchable_once_and_drops_below_the_floor_the_second_time()
    {
        var once = Reputation.Apply(new Standing(0.95, T0), TrustEvent.Outvoted, T0, Options);
        var twice = Reputation.Apply(once, TrustEvent.Outvoted, T0, Options);

        Assert.True(Reputation.IsMatchable(once.Score, Options), $"after one: {once.Score}");
        Assert.False(Reputation.IsMatchable(twice.Score, Options), $"after two: {twice.Score}");
    }

    [Fact]
    public void A_late_event_is_applied_at_the_standings_time()
    {
        var standing = new Standing(0.8, T0);

        var after = Reputation.Apply(standing, TrustEvent.TimedOut, T0 - TimeSpan.FromHours(1), Options);

        Assert.Equal(new Standing(0.8 - Options.FailureLoss, T0), after);
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(TrustArbitraries)])]
    public void Scores_stay_within_0_and_1_whatever_happens(UnitScore start, TrustEvent[] events, PositiveInt[] minutesBetween)
    {
        var standing = new Standing(start.Value, T0);
        for (var i = 0; i < events.Length; i++)
        {
            var at = standing.At + TimeSpan.FromMinutes(minutesBetween.Length == 0 ? 0 : minutesBetween[i % minutesBetween.Length].Get * 97);
            standing = Reputation.Apply(standing, events[i], at, Options);
            Assert.InRange(standing.Score, 0, 1);
            Assert.InRange(Reputation.ScoreAt(standing, at + TimeSpan.FromDays(i), Options), 0, 1);
        }
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(TrustArbitraries)])]
    public void A_gain_never_lowers_and_a_loss_never_raises_the_score(UnitScore start, PositiveInt hoursLater)
    {
        var standing = new Standing(start.Value, T0);
        var at = T0 + TimeSpan.FromHours(hoursLater.Get);
        var before = Reputation.ScoreAt(standing, at, Options);

        Assert.All(Gains, e => Assert.True(Reputation.Apply(standing, e, at, Options).Score >= before, $"{e} lowered {before}"));
        Assert.All(Losses, e => Assert.True(Reputation.Apply(standing, e, at, Options).Score <= before, $"{e} raised {before}"));
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(TrustArbitraries)])]
    public void Decay_halves_the_distance_to_neutral_every_half_life_and_converges(UnitScore start, byte halfLives)
    {
        var standing = new Standing(start.Value, T0);
        var k = halfLives % 64;

        var score = Reputation.ScoreAt(standing, T0 + Options.HalfLife * k, Options);

        Assert.Equal((start.Value - Options.Neutral) * Math.Pow(0.5, k), score - Options.Neutral, Exact);
        Assert.InRange(Math.Abs(Reputation.ScoreAt(standing, T0 + Options.HalfLife * 60, Options) - Options.Neutral), 0, 1e-15);
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(TrustArbitraries)])]
    public void One_loss_outweighs_one_gain(UnitScore start, byte gainPick, byte lossPick)
    {
        var gain = Gains[gainPick % Gains.Length];
        var loss = Losses[lossPick % Losses.Length];
        var standing = new Standing(start.Value, T0);

        var after = Reputation.Apply(Reputation.Apply(standing, gain, T0, Options), loss, T0, Options);

        Assert.True(after.Score < start.Value || start.Value == 0, $"{gain} then {loss} from {start.Value} ended at {after.Score}");
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(TrustArbitraries)])]
    public void A_timeout_undoes_exactly_five_verified_results_and_a_disagreement_twenty_five(UnitScore start)
    {
        // Away from the bounds nothing is clamped, so the ratios are exact.
        var s = 0.26 + start.Value * 0.48;
        var standing = new Standing(s, T0);

        Assert.Equal(s, AfterGains(standing, 5, TrustEvent.TimedOut).Score, Exact);
        Assert.Equal(s, AfterGains(standing, 25, TrustEvent.Disagreed).Score, Exact);
        Assert.True(AfterGains(standing, 4, TrustEvent.TimedOut).Score < s);
        Assert.True(AfterGains(standing, 24, TrustEvent.Disagreed).Score < s);
    }

    [Fact]
    public void The_defaults_are_valid_and_each_bad_setting_is_named()
    {
        Assert.Empty(Options.Validate());

        var bad = new ReputationOptions { Neutral = -0.1, HalfLife = TimeSpan.Zero, VerifiedGain = 0.2, FailureLoss = 0.1, MatchFloor = 0.9 }.Validate().ToList();

        Assert.Contains(bad, m => m.StartsWith("Coordinator:Trust:Reputation:Neutral ", StringComparison.Ordinal));
        Assert.Contains(bad, m => m.StartsWith("Coordinator:Trust:Reputation:HalfLife ", StringComparison.Ordinal));
        Assert.Contains(bad, m => m.StartsWith("Coordinator:Trust:Reputation:FailureLoss ", StringComparison.Ordinal));
        Assert.Contains(bad, m => m.StartsWith("Coordinator:Trust:Reputation:MatchFloor ", StringComparison.Ordinal));
        Assert.Equal(4, bad.Count);
    }

    private static Standing AfterGains(Standing standing, int gains, TrustEvent loss)
    {
        for (var i = 0; i < gains; i++)
            standing = Reputation.Apply(standing, TrustEvent.VerifiedResult, T0, Options);
        return Reputation.Apply(standing, loss, T0, Options);
    }
}

/// <summary>A score in [0, 1].</summary>
public readonly record struct UnitScore(double Value);

/// <summary>Generators for the trust properties.</summary>
public static class TrustArbitraries
{
    public static Arbitrary<UnitScore> UnitScores() =>
        Gen.OneOf(Gen.Elements(0.0, 1.0, 0.5), Gen.Choose(0, 1_000_000).Select(i => i / 1_000_000.0))
            .Select(v => new UnitScore(v))
            .ToArbitrary();

    public static Arbitrary<TrustEvent> Events() => Gen.Elements(Enum.GetValues<TrustEvent>()).ToArbitrary();
}
