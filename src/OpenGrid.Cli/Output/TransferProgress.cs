using Spectre.Console;

namespace OpenGrid.Cli.Output;

/// <summary>One file to move: its label (the job's path for it) and its size in bytes.</summary>
internal sealed record TransferItem(string Label, long Size);

/// <summary>
/// How one transfer ended: the item's CID, and the verb to report it with when it differs from the usual one (a file
/// the other side already held is not "uploaded").
/// </summary>
internal sealed record TransferDone(string Cid, string? Verb = null);

/// <summary>
/// Shows the progress of uploads and downloads on stderr: live bars when stderr is a terminal, one plain line per
/// finished file otherwise (logs and pipes stay readable).
/// </summary>
internal static class TransferProgress
{
    /// <summary>
    /// Transfers <paramref name="items"/> one after another with <paramref name="transfer"/>, which reports bytes done and
    /// returns the item's CID.
    /// </summary>
    public static async Task RunAsync(
        CliContext ctx,
        string activeVerb,
        string doneVerb,
        IReadOnlyList<TransferItem> items,
        Func<int, IProgress<long>, CancellationToken, Task<TransferDone>> transfer,
        CancellationToken ct)
    {
        if (!ctx.Env.StderrIsTerminal)
        {
            for (var i = 0; i < items.Count; i++)
            {
                var done = await transfer(i, new Reporter(_ => { }), ct);
                ctx.Stderr.WriteLine($"{done.Verb ?? doneVerb} {items[i].Label} ({Formats.Bytes(items[i].Size)}) {done.Cid}");
            }
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(ctx.Stderr) });
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var tasks = items
                    .Select(item => progress.AddTask(Markup.Escape($"{activeVerb} {item.Label}"), autoStart: false, maxValue: Math.Max(1, item.Size)))
                    .ToList();
                for (var i = 0; i < items.Count; i++)
                {
                    var task = tasks[i];
                    task.StartTask();
                    var done = await transfer(i, new Reporter(bytes => task.Value = bytes), ct);
                    task.Value = task.MaxValue;
                    task.Description = Markup.Escape($"{done.Verb ?? doneVerb} {items[i].Label}");
                    task.StopTask();
                }
            });
    }

    /// <summary>Reports synchronously on the transferring thread (System.Progress would post to a context).</summary>
    private sealed class Reporter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
