using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary><c>/v1/jobs</c>: submit, read, list, follow and cancel your own jobs, and read back their specs.</summary>
public static class JobsEndpoints
{
    /// <summary>The most jobs a list (or an event stream's snapshot) holds, newest first.</summary>
    internal const int ListLimit = 500;

    private const int MaxSpecBytes = 64 * 1024;

    public static void MapJobsEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/v1/jobs").WithTags("jobs").RequireAuthorization();

        jobs.MapPost("/", async (SubmitJobRequest request, ClaimsPrincipal user, JobLifecycle lifecycle, CancellationToken ct) =>
        {
            if (request.Spec is null || request.Spec.Length > MaxSpecBytes)
                return Problems.Result(ErrorCodes.SpecInvalid, $"spec must be YAML text of at most {MaxSpecBytes} bytes");
            var outcome = await lifecycle.SubmitAsync(user.Account(), request, ct);
            return outcome.Job is { } job
                ? Results.Accepted($"/v1/jobs/{job.Id}", job.ToView())
                : Problems.Result(outcome.Rejection!, outcome.SpecErrors, outcome.AuthorizationTerms);
        });

        jobs.MapGet("/", async (string? state, ClaimsPrincipal user, IJobStore store, CancellationToken ct) =>
        {
            if (!TryParseState(state, out var filter, out var problem))
                return problem;
            var list = await store.ListJobsAsync(user.Account(), filter, ListLimit, ct);
            return Results.Ok(new JobListView(list.Select(j => j.ToView()).ToList()));
        });

        jobs.MapGet("/events", JobEventsEndpoint.StreamAsync);

        jobs.MapGet("/{id}", async (string id, ClaimsPrincipal user, IJobStore store, CancellationToken ct) =>
        {
            if (await FindOwnAsync(id, user, store, ct) is not { } job)
                return NotFound(id);
            var group = job.PlannedReplicas > 1 || job.GroupOf is not null ? await store.ListGroupAsync(job.GroupOf ?? job.Id, ct) : null;
            return Results.Ok(job.ToView(group));
        });

        jobs.MapGet("/{id}/proof", async (string id, ClaimsPrincipal user, IJobStore store, Verification.ProofPacks packs, CancellationToken ct) =>
        {
            if (await FindOwnAsync(id, user, store, ct) is not { } job)
                return NotFound(id);
            if (!job.State.IsTerminal())
                return Problems.Result(ErrorCodes.JobNotFinished, $"job {job.Id} is {job.State.ToWire()}; its proof exists once it ends");
            return Results.Ok(await packs.BuildAsync(job, ct));
        });

        jobs.MapPost("/{id}/cancel", async (string id, ClaimsPrincipal user, JobLifecycle lifecycle, CancellationToken ct) =>
        {
            if (!JobId.TryParse(id, out var jobId))
                return NotFound(id);
            var (job, rejection) = await lifecycle.CancelAsync(user.Account(), jobId, ct);
            return job is not null ? Results.Ok(job.ToView()) : Problems.Result(rejection!);
        });

        jobs.MapGet("/{id}/logs", LogsEndpoint.StreamAsync);

        jobs.MapGet("/{id}/spec", async (string id, ClaimsPrincipal user, IJobStore store, CancellationToken ct) =>
            await FindOwnAsync(id, user, store, ct) is { } job ? Results.Text(job.SpecText, "text/yaml; charset=utf-8") : NotFound(id));
    }

    /// <summary>Parses the optional <c>state</c> filter; a problem answer when it names no state.</summary>
    internal static bool TryParseState(string? state, out JobState? filter, [NotNullWhen(false)] out IResult? problem)
    {
        filter = null;
        problem = null;
        if (state is null)
            return true;
        if (!JobStateMachine.TryParseWire(state, out var parsed))
        {
            problem = Problems.Result(ErrorCodes.RequestInvalid,
                $"unknown state '{state}'; valid: {string.Join(", ", Enum.GetValues<JobState>().Select(x => x.ToWire()))}");
            return false;
        }
        filter = parsed;
        return true;
    }

    /// <summary>The job when it exists and belongs to the caller; someone else's job looks the same as none.</summary>
    internal static async Task<Job?> FindOwnAsync(string id, ClaimsPrincipal user, IJobStore store, CancellationToken ct) =>
        JobId.TryParse(id, out var jobId) && await store.GetJobAsync(jobId, ct) is { } job && job.Requester == user.Account()
            ? job
            : null;

    internal static IResult NotFound(string id) => Problems.Result(ErrorCodes.JobNotFound, $"no job '{id}' of yours");
}
