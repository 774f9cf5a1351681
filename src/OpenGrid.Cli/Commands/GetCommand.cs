using System.CommandLine;
using OpenGrid.Cli.Jobs;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og get id -o DIR</c>: download a job's outputs, every file checked against its CID.</summary>
internal static class GetCommand
{
    public static Command Create(CliContext ctx)
    {
        var id = CommonOptions.JobId();
        var output = new Option<string>("--output", "-o")
        {
            Description = "Folder to write the files into (created if missing); each lands at DIR/<its path under /out>.",
            HelpName = "DIR",
            Required = true,
        };
        var proof = new Option<bool>("--proof")
        {
            Description = "Also write the job's proof pack (signed receipts, verdict, settlement) to DIR/proof.json, for og verify DIR.",
        };
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("get",
            "Download a job's output files, each checked against its CID.")
        {
            id, output, proof, json, coordinator,
        };
        CommandHelp.Describe(command,
            "Download a job's output files into a folder. Every file is checked against its CID before it is put in " +
            "place; a file that does not match is not kept and og exits 7, as it does for an output path that would " +
            "land outside the folder. Prints each file's path, size and CID.");
        CommandHelp.Examples(command,
            "og get 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b -o results",
            "og get 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b -o results --json   # one {path, cid, size} per line",
            "og get 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b -o results --proof && og verify results");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var folder = ctx.Env.FullPath(parseResult.GetValue(output)!);
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var job = await client.GetJobAsync(parseResult.GetValue(id)!, ct);
            var withProof = parseResult.GetValue(proof);
            if (withProof && job.Outputs.Any(o => o.Path == ProofPack.FileName))
                throw new CliException($"job {job.Id} has an output named {ProofPack.FileName}, where --proof would write the proof pack; fetch it without --proof", ExitCodes.InvalidInput);
            if (job.Outputs.Count == 0)
            {
                if (!JobStates.IsTerminal(job.State))
                    throw new CliException($"job {job.Id} is {job.State}; its outputs can be fetched once it ends (wait with: og logs {job.Id} -f)", ExitCodes.Failure);
                ctx.Stderr.WriteLine($"job {job.Id} ({job.State}) has no output files");
                if (withProof)
                    await WriteProofAsync(ctx, client, job.Id, folder, ct);
                return ExitCodes.Ok;
            }
            var files = await OutputDownloader.DownloadAsync(ctx, client, job, folder, ct);
            if (withProof)
                await WriteProofAsync(ctx, client, job.Id, folder, ct);
            if (parseResult.GetValue(json))
            {
                foreach (var file in files)
                    JsonOutput.Write(ctx.Stdout, file.Output, OpenGridJsonContext.Default.OutputFileView);
            }
            else
            {
                var table = new TextTable("FILE", "SIZE", "CID");
                foreach (var file in files)
                    table.Add(Formats.DisplayPath(file.LocalPath, ctx.Env.CurrentDirectory), Formats.Bytes(file.Output.Size), file.Output.Cid);
                table.Write(ctx.Stdout);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes the job's proof pack to DIR/proof.json (temp file, then rename).</summary>
    private static async Task WriteProofAsync(CliContext ctx, Protocol.Client.OpenGridClient client, string jobId, string folder, CancellationToken ct)
    {
        var pack = await client.GetProofAsync(jobId, ct);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ProofPack.FileName);
        var temp = path + ".partial";
        await File.WriteAllTextAsync(temp, System.Text.Json.JsonSerializer.Serialize(pack, OpenGridJsonContext.Default.ProofPack), ct);
        File.Move(temp, path, overwrite: true);
        ctx.Stderr.WriteLine($"proof pack: {Formats.DisplayPath(path, ctx.Env.CurrentDirectory)} ({pack.Attempts.Count} receipt(s)); check it with: og verify {Formats.DisplayPath(folder, ctx.Env.CurrentDirectory)}");
    }
}
