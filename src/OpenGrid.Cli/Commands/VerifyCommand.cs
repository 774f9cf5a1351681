using System.CommandLine;
using System.Text.Json;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Cli.Commands;

/// <summary>
/// <c>og verify DIR</c>: check a job offline from the proof pack and outputs that <c>og get --proof -o DIR</c> wrote:
/// receipt signatures and chain links, spec and runtime hashes, output CIDs against the files, the verdict and the
/// settlement transactions (<see cref="ProofVerifier"/>). Needs no coordinator and trusts none.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliContext ctx)
    {
        var dir = new Argument<string>("DIR")
        {
            Description = $"The folder `og get <id> --proof -o DIR` wrote: {ProofPack.FileName} and the outputs by path.",
        };
        var json = CommonOptions.Json();
        var command = new Command("verify", "Check a job offline from its proof pack: receipts, outputs, verdict.")
        {
            dir, json,
        };
        CommandHelp.Describe(command,
            "Check a job offline, trusting neither the coordinator nor the providers, from the folder `og get <id> " +
            "--proof -o DIR` wrote: every receipt's provider signature (EIP-712) and hash-chain link, that each " +
            "receipt covers this spec text and runtime, that every output file hashes to its CID, that the verdict " +
            "follows from the receipts (a quorum of providers attest the accepted outputs), and that the settlement " +
            "transactions are well-formed. Prints each check with ✓ or ✗ and a summary; exits 0 when all pass, 7 " +
            $"when one fails, 2 when DIR has no readable {ProofPack.FileName}.");
        CommandHelp.Examples(command,
            "og get 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b --proof -o proof   # download outputs and proof pack",
            "og verify proof                                            # ✓ attempt 1 signature: signed by provider 0x…",
            "og verify proof --json                                     # {\"jobId\":…,\"ok\":true,\"checks\":[…]}");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var folder = ctx.Env.FullPath(parseResult.GetValue(dir)!);
            var pack = ReadPack(Path.Combine(folder, ProofPack.FileName), parseResult.GetValue(dir)!);
            var report = ProofReport.From(pack.JobId, await ProofVerifier.VerifyAsync(pack, folder, ct));
            if (parseResult.GetValue(json))
                JsonOutput.Write(ctx.Stdout, report, OpenGridJsonContext.Default.ProofReport);
            else
                Print(ctx.Stdout, report);
            return report.Ok ? ExitCodes.Ok : ExitCodes.Integrity;
        });
        return command;
    }

    private static ProofPack ReadPack(string file, string shownDir)
    {
        var shown = Path.Combine(shownDir, ProofPack.FileName);
        if (!File.Exists(file))
            throw CliException.InvalidInput($"{shown}: no such file; download it with: og get <id> --proof -o {shownDir}");
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize(stream, OpenGridJsonContext.Default.ProofPack)
                ?? throw CliException.InvalidInput($"{shown} is not a proof pack: it holds null");
        }
        catch (JsonException e)
        {
            throw CliException.InvalidInput($"{shown} is not a proof pack: {e.Message}");
        }
    }

    private static void Print(TextWriter stdout, ProofReport report)
    {
        foreach (var check in report.Checks)
            stdout.WriteLine($"{(check.Ok ? "✓" : "✗")} {check.Check}: {check.Detail}");
        var failed = report.Checks.Count(c => !c.Ok);
        stdout.WriteLine(failed == 0
            ? $"verified: job {report.JobId}, all {report.Checks.Count} checks passed"
            : $"NOT verified: job {report.JobId}, {failed} of {report.Checks.Count} checks failed");
    }
}
