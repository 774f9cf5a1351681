using OpenGrid.Core.Jobs;

namespace OpenGrid.Cli.Jobs;

/// <summary>Wire job states (<c>queued</c>, <c>timed_out</c>, …) as the CLI reads them.</summary>
internal static class JobStates
{
    public static bool IsTerminal(string state) => JobStateMachine.TryParseWire(state, out var s) && s.IsTerminal();

    public static IEnumerable<string> All => Enum.GetValues<JobState>().Select(s => s.ToWire());

    /// <summary>A sentence about how a job ended, for stderr after following it.</summary>
    public static string Describe(string jobId, string state, int? exitCode, string? reason)
    {
        var because = reason is { Length: > 0 } ? $": {reason}" : "";
        return state switch
        {
            "succeeded" => $"job {jobId} succeeded",
            "failed" => exitCode is { } code ? $"job {jobId} failed with exit code {code}{because}" : $"job {jobId} failed{because}",
            "timed_out" => $"job {jobId} timed out{because}",
            "cancelled" => $"job {jobId} was cancelled{because}",
            "verifying" => $"job {jobId} succeeded on its provider and waits for its replicas to agree{because}",
            _ => $"job {jobId} is {state}{because}",
        };
    }
}
