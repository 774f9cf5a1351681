using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Jobs;

/// <summary>
/// Downloads the outputs of one or more ended jobs into one folder (<c>og submit -f -o DIR</c>), each file checked
/// against its CID by <see cref="OutputDownloader"/>. Jobs of a split must write distinct paths (e.g.
/// <c>frame-$FRAME.png</c>); a path written by two jobs is refused before anything is downloaded.
/// </summary>
internal static class OutputGather
{
    public static async Task<IReadOnlyList<DownloadedFile>> DownloadAsync(
        CliContext ctx, OpenGridClient client, IReadOnlyList<SubmittedJob> submitted, string folder, CancellationToken ct)
    {
        var jobs = new List<(SubmittedJob Submitted, Protocol.Api.JobView Job)>();
        foreach (var s in submitted)
            jobs.Add((s, await client.GetJobAsync(s.Job.Id, ct)));

        var owners = new Dictionary<string, SubmittedJob>(StringComparer.Ordinal);
        foreach (var (s, job) in jobs)
        {
            foreach (var output in job.Outputs)
            {
                if (!owners.TryAdd(output.Path, s))
                    throw new CliException(
                        $"frames {owners[output.Path].Frame} and {s.Frame} both wrote '{output.Path}'; nothing was downloaded. " +
                        "Name outputs by frame (e.g. frame-$FRAME.png), or fetch each job with og get <id> -o DIR",
                        ExitCodes.Failure);
            }
        }

        var files = new List<DownloadedFile>();
        foreach (var (_, job) in jobs.Where(j => j.Job.Outputs.Count > 0))
            files.AddRange(await OutputDownloader.DownloadAsync(ctx, client, job, folder, ct));
        return files;
    }
}
