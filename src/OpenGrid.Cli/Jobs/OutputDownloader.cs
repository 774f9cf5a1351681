using OpenGrid.Cli.Output;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Jobs;

/// <summary>A downloaded output file: its path under /out, where it now is, its size and CID (checked).</summary>
internal sealed record DownloadedFile(OutputFileView Output, string LocalPath);

/// <summary>
/// Downloads a job's outputs into a folder. Every file is written to a temporary name beside its target and renamed
/// into place only after its bytes hashed to the expected CID, so a failure never leaves a partial or unverified file.
/// </summary>
internal static class OutputDownloader
{
    public static async Task<IReadOnlyList<DownloadedFile>> DownloadAsync(
        CliContext ctx, OpenGridClient client, JobView job, string folder, CancellationToken ct)
    {
        // Check every path and CID before writing anything.
        var plan = new List<(OutputFileView Output, string Target, Cid Cid)>();
        foreach (var output in job.Outputs)
        {
            var target = OutputPaths.Resolve(folder, output.Path)
                ?? throw new CliException(
                    $"job {job.Id}: refusing output path '{output.Path}': it would be written outside {folder}", ExitCodes.Integrity);
            if (!Cid.TryParse(output.Cid, out var cid))
                throw new CliException($"job {job.Id}: output {output.Path} has an invalid CID '{output.Cid}'", ExitCodes.Integrity);
            plan.Add((output, target, cid));
        }

        Directory.CreateDirectory(folder);
        var items = plan.Select(p => new TransferItem(p.Output.Path, p.Output.Size)).ToList();
        await TransferProgress.RunAsync(ctx, "downloading", "downloaded", items, async (index, progress, token) =>
        {
            var (output, target, cid) = plan[index];
            await DownloadOneAsync(client, output, target, cid, progress, token);
            return new TransferDone(output.Cid);
        }, ct);
        return [.. plan.Select(p => new DownloadedFile(p.Output, p.Target))];
    }

    private static async Task DownloadOneAsync(
        OpenGridClient client, OutputFileView output, string target, Cid cid, IProgress<long> progress, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        try
        {
            long size;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                size = await client.DownloadAsync(cid, file, progress, ct);
                await file.FlushAsync(ct);
            }
            if (size != output.Size)
                throw new CliException(
                    $"output {output.Path}: received {size} bytes, the job reported {output.Size}", ExitCodes.Integrity);
            File.Move(temp, target, overwrite: true);
        }
        catch (OpenGridApiException e) when (e.Code is ErrorCodes.ContentCorrupt or ErrorCodes.ContentIncomplete)
        {
            throw new CliException($"output {output.Path}: {e.Message} ({e.Code}); nothing was kept", ExitCodes.Integrity);
        }
        catch (HttpIOException e)
        {
            throw new CliException($"output {output.Path}: the download broke off ({e.Message}); nothing was kept", ExitCodes.Integrity);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}
