using OpenGrid.Cli.Output;
using OpenGrid.Core.Content;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Cli.Jobs;

/// <summary>A job submitted for one frame of a split (Frame 0 and no split for an ordinary job).</summary>
internal sealed record SubmittedJob(int Frame, JobView Job);

/// <summary>
/// Submits a validated spec: uploads its local inputs (with progress; those the coordinator already holds for this
/// account are only hashed), then posts the job — or, for a spec with
/// <c>split</c>, one job per frame (<see cref="FrameSplitExpander"/>), all sharing the uploaded inputs. When the
/// coordinator settles payments (<c>GET /v1/chain</c>), each job carries the requester's authorization for the
/// escrow, signed here with the account key (<see cref="OpenGridClient.SubmitAsync(SubmitJobRequest, Core.Specs.JobSpec, CancellationToken)"/>):
/// every frame is a job of its own and gets its own.
/// </summary>
internal static class JobSubmitter
{
    public static async Task<JobView> SubmitAsync(CliContext ctx, OpenGridClient client, SpecFile spec, CancellationToken ct)
    {
        var prepared = client.PrepareToSubmitAsync(ct);
        var cids = await UploadInputsAsync(ctx, client, spec, ct);
        await prepared;
        return await client.SubmitAsync(new SubmitJobRequest(spec.Text, Path.GetFileName(spec.FullPath), cids), spec.Spec, ct);
    }

    /// <summary>One job per frame of the spec's split, in frame order.</summary>
    public static async Task<IReadOnlyList<SubmittedJob>> SubmitFramesAsync(CliContext ctx, OpenGridClient client, SpecFile spec, CancellationToken ct)
    {
        var prepared = client.PrepareToSubmitAsync(ct);
        var cids = await UploadInputsAsync(ctx, client, spec, ct);
        await prepared;
        var jobs = new List<SubmittedJob>();
        foreach (var frame in FrameSplitExpander.Expand(spec.Spec))
        {
            var job = await client.SubmitAsync(new SubmitJobRequest(frame.Yaml, Path.GetFileName(spec.FullPath), cids), frame.Spec, ct);
            jobs.Add(new SubmittedJob(frame.Frame, job));
        }

        return jobs;
    }

    private static async Task<Dictionary<string, string>> UploadInputsAsync(CliContext ctx, OpenGridClient client, SpecFile spec, CancellationToken ct)
    {
        var inputs = spec.LocalInputs();
        var cids = new Dictionary<string, string>(StringComparer.Ordinal);
        if (inputs.Count == 0)
            return cids;

        var info = await client.InfoAsync(ct);
        if (inputs.FirstOrDefault(i => i.Size > info.MaxContentBytes) is { } tooLarge)
            throw CliException.InvalidInput(
                $"input {tooLarge.InputPath}: {tooLarge.FullPath} is {Formats.Bytes(tooLarge.Size)}; " +
                $"the coordinator accepts at most {Formats.Bytes(info.MaxContentBytes)} per file");

        // Every input is hashed at once, while the sign-in of PrepareToSubmitAsync runs.
        var hashes = inputs.Select(i => Task.Run(() => HashAsync(i.FullPath, ct), ct)).ToList();

        var items = inputs.Select(i => new TransferItem(i.InputPath, i.Size)).ToList();
        await TransferProgress.RunAsync(ctx, "uploading", "uploaded", items, async (index, progress, token) =>
        {
            var input = inputs[index];
            var done = await UploadOnceAsync(client, input.FullPath, input.InputPath, await hashes[index], progress, token);
            cids[input.InputPath] = done.Cid;
            return done;
        }, ct);
        return cids;
    }

    private static async Task<Cid> HashAsync(string fullPath, CancellationToken ct)
    {
        await using var file = OpenRead(fullPath);
        return await UnixFsCidBuilder.ComputeAsync(file, ct);
    }

    private static FileStream OpenRead(string fullPath) =>
        new(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);

    /// <summary>
    /// Uploads the file, hashed here first as <paramref name="cid"/>, only when the coordinator does not already hold
    /// that CID for this account (<c>HEAD /v1/content/{cid}</c>): a dataset sent once is not sent again with every
    /// job. An upload must come back under the CID computed here.
    /// </summary>
    private static async Task<TransferDone> UploadOnceAsync(
        OpenGridClient client, string fullPath, string inputPath, Cid cid, IProgress<long> progress, CancellationToken ct)
    {
        if (await client.HasContentAsync(cid, ct))
            return new TransferDone(cid.ToString(), "already uploaded");
        await using var file = OpenRead(fullPath);
        var put = await client.UploadAsync(file, file.Length, progress, ct);
        if (put.Cid != cid.ToString())
            throw new CliException(
                $"input {inputPath}: the coordinator stored {fullPath} as {put.Cid}, but its bytes hash to {cid} here " +
                "(did the file change during the upload?)", ExitCodes.Integrity);
        return new TransferDone(put.Cid);
    }
}
