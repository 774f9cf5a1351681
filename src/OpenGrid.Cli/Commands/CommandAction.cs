using System.CommandLine;
using OpenGrid.Cli.Jobs;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Commands;

/// <summary>
/// Runs a command's body and turns every expected failure into one line on stderr and a documented exit code
/// (<see cref="ExitCodes"/>). Only bugs print a stack trace.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliContext ctx, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction((parseResult, ct) => RunAsync(ctx, parseResult, body, ct));

    /// <summary>Prints a <see cref="CliException"/> as the user sees it.</summary>
    public static void Report(CliContext ctx, CliException e)
    {
        if (e.Lines is { } lines)
            foreach (var line in lines)
                ctx.Stderr.WriteLine(line);
        else
            ctx.Error(e.Message);
    }

    private static async Task<int> RunAsync(
        CliContext ctx, ParseResult parseResult, Func<ParseResult, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        try
        {
            return await body(parseResult, ct);
        }
        catch (CliException e)
        {
            Report(ctx, e);
            return e.ExitCode;
        }
        catch (SpecInvalidException e)
        {
            foreach (var error in e.Errors)
                ctx.Stderr.WriteLine(error.ToString());
            return ExitCodes.InvalidInput;
        }
        catch (OpenGridApiException e)
        {
            ApiErrors.Report(ctx, e);
            return ExitCodes.ForErrorCode(e.Code);
        }
        catch (CoordinatorUnreachableException e)
        {
            ctx.Error(e.Message);
            return ExitCodes.CoordinatorUnreachable;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ctx.Error("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ctx.Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            ctx.Error($"unexpected error (this is a bug in og, please report it): {e}");
            return ExitCodes.Failure;
        }
        finally
        {
            await ctx.Stdout.FlushAsync(CancellationToken.None);
            await ctx.Stderr.FlushAsync(CancellationToken.None);
        }
    }
}
