using OpenGrid.Core.Jobs;

namespace OpenGrid.Core.Tests.Jobs;

public sealed class JobStateMachineTests
{
    public static TheoryData<JobState> Terminal => [JobState.Succeeded, JobState.Failed, JobState.Cancelled, JobState.TimedOut];

    [Theory]
    [MemberData(nameof(Terminal))]
    public void Terminal_states_never_change_again(JobState terminal)
    {
        Assert.True(terminal.IsTerminal());
        Assert.All(Enum.GetValues<JobState>(), to => Assert.False(JobStateMachine.CanMove(terminal, to), $"{terminal} -> {to}"));
    }

    [Fact]
    public void The_happy_path_is_queued_assigned_running_succeeded()
    {
        Assert.True(JobStateMachine.CanMove(JobState.Queued, JobState.Assigned));
        Assert.True(JobStateMachine.CanMove(JobState.Assigned, JobState.Running));
        Assert.True(JobStateMachine.CanMove(JobState.Running, JobState.Succeeded));
    }

    [Fact]
    public void A_queued_job_cannot_run_without_being_assigned_first()
    {
        Assert.False(JobStateMachine.CanMove(JobState.Queued, JobState.Running));
        Assert.False(JobStateMachine.CanMove(JobState.Queued, JobState.Succeeded));
    }

    [Fact]
    public void A_lost_lease_returns_an_assigned_or_running_job_to_the_queue()
    {
        Assert.True(JobStateMachine.CanMove(JobState.Assigned, JobState.Queued));
        Assert.True(JobStateMachine.CanMove(JobState.Running, JobState.Queued));
    }

    [Fact]
    public void Wire_names_round_trip_for_every_state()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            Assert.True(JobStateMachine.TryParseWire(state.ToWire(), out var back));
            Assert.Equal(state, back);
        }
        Assert.Equal("timed_out", JobState.TimedOut.ToWire());
        Assert.False(JobStateMachine.TryParseWire("TimedOut", out _));
    }
}
