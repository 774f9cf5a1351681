using System.CommandLine;
using OpenGrid.Cli.Jobs;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og validate job.yaml</c>: parse and validate a spec locally, no coordinator needed.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("job.yaml") { Description = "The job spec file to check." };
        var json = CommonOptions.Json();
        var command = new Command("validate",
            "Check a job spec offline.")
        {
            file, json,
        };
        CommandHelp.Describe(command,
            "Check a job spec without submitting it, with the same validator the coordinator uses; no coordinator " +
            "needed. Prints ok: <name>, or every error as file:line:col: field: message and exits 2.");
        CommandHelp.Examples(command,
            "og validate examples/hello/job.yaml    # prints: ok: hello",
            "og validate job.yaml --json            # {\"valid\":false,\"errors\":[{\"file\":…,\"line\":…}]}");
        CommandAction.Set(command, ctx, (parseResult, _) =>
        {
            var path = parseResult.GetValue(file)!;
            var asJson = parseResult.GetValue(json);
            try
            {
                var spec = SpecFile.Load(ctx.Env, path);
                if (asJson)
                    JsonOutput.Write(ctx.Stdout, new ValidationView(true, spec.Spec.Name, []), CliJsonContext.Default.ValidationView);
                else
                    ctx.Stdout.WriteLine($"ok: {spec.Spec.Name}");
                return Task.FromResult(ExitCodes.Ok);
            }
            catch (SpecInvalidException e) when (asJson)
            {
                var errors = e.Errors.Select(x => new SpecErrorView(x.File, x.Line, x.Column, x.Path, x.Message)).ToList();
                JsonOutput.Write(ctx.Stdout, new ValidationView(false, null, errors), CliJsonContext.Default.ValidationView);
                return Task.FromResult(ExitCodes.InvalidInput);
            }
        });
        return command;
    }
}
