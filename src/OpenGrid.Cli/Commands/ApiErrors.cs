using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Commands;

/// <summary>How a coordinator error reads on stderr: spec errors one per line as the compiler prints them, else one line.</summary>
internal static class ApiErrors
{
    public static void Report(CliContext ctx, OpenGridApiException e)
    {
        if (e.Problem.Errors is { Count: > 0 } errors)
        {
            foreach (var error in errors)
                ctx.Stderr.WriteLine(error.Path.Length == 0
                    ? $"{error.File}:{error.Line}:{error.Column}: {error.Message}"
                    : $"{error.File}:{error.Line}:{error.Column}: {error.Path}: {error.Message}");
            return;
        }
        var text = e.Problem.Detail ?? e.Problem.Title ?? $"the coordinator answered HTTP {e.Status}";
        ctx.Error(e.Code is null ? text : $"{text} ({e.Code})");
    }
}
