using OpenGrid.Cli.Output;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Jobs;

/// <summary>Submits a validated spec: uploads its local inputs (with progress), then posts the job.</summary>
internal static class JobSubmitter
{
    public static async Task<JobView> SubmitAsync(CliContext ctx, OpenGridClient client, SpecFile spec, CancellationToken ct)
    {
        var inputs = spec.LocalInputs();
        var cids = new Dictionary<string, string>(StringComparer.Ordinal);
        if (inputs.Count > 0)
        {
            var info = await client.InfoAsync(ct);
            if (inputs.FirstOrDefault(i => i.Size > info.MaxContentBytes) is { } tooLarge)
                throw CliException.InvalidInput(
                    $"input {tooLarge.InputPath}: {tooLarge.FullPath} is {Formats.Bytes(tooLarge.Size)}; " +
                    $"the coordinator accepts at most {Formats.Bytes(info.MaxContentBytes)} per file");

            var items = inputs.Select(i => new TransferItem(i.InputPath, i.Size)).ToList();
            await TransferProgress.RunAsync(ctx, "uploading", "uploaded", items, async (index, progress, token) =>
            {
                var input = inputs[index];
                await using var file = new FileStream(input.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
                var put = await client.UploadAsync(file, file.Length, progress, token);
                cids[input.InputPath] = put.Cid;
                return put.Cid;
            }, ct);
        }
        return await client.SubmitAsync(new SubmitJobRequest(spec.Text, Path.GetFileName(spec.FullPath), cids), ct);
    }
}
