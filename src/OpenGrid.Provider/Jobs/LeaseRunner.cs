using System.Text;
using Microsoft.Extensions.Logging;
using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Specs;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Jobs;

/// <summary>
/// Runs one lease end to end: validates the spec again (providers trust no one), fetches and checks inputs by CID,
/// runs the sandbox while streaming output, uploads <c>/out</c>, and reports how it ended. The work folder is
/// deleted afterwards whatever happened.
/// </summary>
internal sealed partial class LeaseRunner(
    ISandbox sandbox,
    OpenGridClient client,
    InputCache cache,
    ReceiptChain receipts,
    string jobsRoot,
    Func<ProviderMessage, ValueTask> send,
    ILogger log)
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);
    private const int FlushBytes = 16 * 1024;
    private static readonly TimeSpan UnreachableBudget = TimeSpan.FromMinutes(2);

    public async Task RunAsync(Assign lease, CancellationToken cancel)
    {
        var root = Path.Combine(jobsRoot, $"{lease.JobId}-{lease.Epoch}");
        var work = Path.Combine(root, "work");
        var output = Path.Combine(root, "out");
        await send(new LeaseAccepted(lease.JobId, lease.Epoch));
        try
        {
            var parsed = JobSpecParser.Parse(lease.Spec, "job.yaml");
            if (parsed.Spec is not { } spec)
            {
                await FinishAsync(lease, "failed", null, $"the provider rejected the spec: {parsed.Errors[0]}", null, []);
                return;
            }
            Directory.CreateDirectory(work);
            Directory.CreateDirectory(output);
            if (await FetchInputsAsync(lease, work, cancel) is { } inputError)
            {
                await FinishAsync(lease, cancel.IsCancellationRequested ? "cancelled" : "failed", null, inputError, null, [], spec);
                return;
            }

            await send(new JobStarted(lease.JobId, lease.Epoch));
            LogStarted(lease.JobId, lease.Epoch);
            await using var logs = new LogPump(lease, send, FlushInterval, FlushBytes);
            var request = new SandboxRequest(work, output, spec.Runtime.Argv.ToList(), spec.Runtime.Env,
                new SandboxLimits(spec.Resources.MemoryBytes, spec.Resources.CpuMillis, spec.Limits.Processes,
                    spec.Limits.Timeout, spec.Resources.DiskBytes, spec.Resources.Gpu.Count));
            var result = await sandbox.RunAsync(request, logs.WriteAsync, cancel);
            await logs.FlushAsync();

            var (outcome, reason) = Describe(result, spec);
            IReadOnlyList<OutputFileView> outputs = [];
            if (result.Outcome != SandboxOutcome.Cancelled)
            {
                try
                {
                    outputs = await UploadOutputsAsync(output, spec.Resources.DiskBytes, CancellationToken.None);
                }
                catch (Exception e) when (e is IOException or OpenGridApiException or CoordinatorUnreachableException or InvalidDataException or HttpRequestException)
                {
                    (outcome, reason) = ("failed", $"uploading outputs failed: {e.Message}");
                }
            }
            await FinishAsync(lease, outcome, result.Outcome == SandboxOutcome.Exited ? result.ExitCode : null, reason,
                new UsageView(result.Usage.Wall.TotalSeconds, result.Usage.Cpu.TotalSeconds, result.Usage.PeakMemoryBytes), outputs, spec);
        }
        finally
        {
            TryDelete(root);
        }
    }

    private static (string Outcome, string? Reason) Describe(SandboxResult r, JobSpec spec) => r.Outcome switch
    {
        SandboxOutcome.Exited when r.ExitCode == 0 => ("succeeded", null),
        SandboxOutcome.Exited => ("failed", $"the job exited with status {r.ExitCode}"),
        SandboxOutcome.TimedOut => ("timed_out", $"killed at its timeout of {Quantities.FormatDuration(spec.Limits.Timeout)}"),
        SandboxOutcome.MemoryLimit => ("failed", $"killed at its memory limit of {Quantities.FormatBytes(spec.Resources.MemoryBytes)}"),
        SandboxOutcome.Cancelled => ("cancelled", "cancelled"),
        _ => ("failed", $"the sandbox could not start the job: {r.Detail}"),
    };

    private async Task<string?> FetchInputsAsync(Assign lease, string work, CancellationToken ct)
    {
        foreach (var input in lease.Inputs)
        {
            if (!Cid.TryParse(input.Cid, out var cid))
                return $"input '{input.Path}' has an invalid CID '{input.Cid}'";
            var target = Path.GetFullPath(Path.Combine(work, input.Path));
            if (!target.StartsWith(work + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                return $"input path '{input.Path}' escapes the work dir";
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                await cache.PlaceAsync(cid, target, stream => WhileUnreachableAsync(async () =>
                {
                    stream.SetLength(0);
                    return await client.DownloadAsync(cid, stream, null, ct);
                }, ct), ct);
            }
            catch (Exception e) when (e is OpenGridApiException or CoordinatorUnreachableException or IOException or OperationCanceledException or HttpRequestException)
            {
                return $"fetching input '{input.Path}' ({cid}) failed: {e.Message}";
            }
        }
        return null;
    }

    /// <summary>Uploads every regular file under /out. Links are skipped: they could point at the provider's files.</summary>
    private async Task<IReadOnlyList<OutputFileView>> UploadOutputsAsync(string output, long maxTotalBytes, CancellationToken ct)
    {
        var files = new List<OutputFileView>();
        long total = 0;
        foreach (var path in Directory.EnumerateFileSystemEntries(output, "*", new EnumerationOptions
                 {
                     RecurseSubdirectories = true,
                     AttributesToSkip = FileAttributes.ReparsePoint,
                 }).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (info.Attributes.HasFlag(FileAttributes.Directory) || info.LinkTarget is not null)
                continue;
            total += info.Length;
            if (total > maxTotalBytes)
                throw new InvalidDataException($"outputs exceed the job's disk request of {Quantities.FormatBytes(maxTotalBytes)}");
            var put = await WhileUnreachableAsync(async () =>
            {
                await using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Options = FileOptions.SequentialScan });
                return await client.UploadAsync(stream, info.Length, null, ct);
            }, ct);
            files.Add(new OutputFileView(Path.GetRelativePath(output, path).Replace('\\', '/'), put.Cid, put.Size));
        }
        return files;
    }

    /// <summary>
    /// Retries <paramref name="action"/> while the coordinator cannot be reached (it may be restarting), with
    /// backoff, for up to <see cref="UnreachableBudget"/>; other failures are not retried.
    /// </summary>
    private static async Task<T> WhileUnreachableAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + UnreachableBudget;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (CoordinatorUnreachableException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    /// <summary>Reports the end of the lease, with a signed receipt whenever the spec parsed (every other case).</summary>
    private async Task FinishAsync(Assign lease, string outcome, int? exitCode, string? reason, UsageView? usage,
        IReadOnlyList<OutputFileView> outputs, JobSpec? spec = null)
    {
        LogFinished(lease.JobId, lease.Epoch, outcome, exitCode);
        usage ??= new UsageView(0, 0, 0);
        if (spec is null)
        {
            await send(new JobFinished(lease.JobId, lease.Epoch, outcome, exitCode, reason, usage, outputs));
            return;
        }

        await receipts.SignAndSendAsync(lease, spec, exitCode, usage, outputs, (receipt, signature) =>
            send(new JobFinished(lease.JobId, lease.Epoch, outcome, exitCode, reason, usage, outputs, receipt, signature)));
    }

    private void TryDelete(string root)
    {
        try
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(root, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} epoch {Epoch} started")]
    private partial void LogStarted(string jobId, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} epoch {Epoch} finished: {Outcome} (exit {ExitCode})")]
    private partial void LogFinished(string jobId, long epoch, string outcome, int? exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete work folder {Folder}: {Why}")]
    private partial void LogCleanupFailed(string folder, string why);

    /// <summary>
    /// Batches sandbox output into log messages: flushed 100 ms after the first unsent output or at 16 KiB, decoded
    /// as UTF-8 per stream with state carried across chunks so a character split between reads is not mangled. A
    /// job that prints nothing costs no wake-ups: the flush timer is armed by output, not ticking.
    /// </summary>
    private sealed class LogPump : IAsyncDisposable
    {
        private readonly Assign _lease;
        private readonly Func<ProviderMessage, ValueTask> _send;
        private readonly int _flushBytes;
        private readonly SemaphoreSlim _lock = new(1, 1);
        private readonly Dictionary<OutputStream, (Decoder Decoder, StringBuilder Pending)> _streams = new()
        {
            [OutputStream.Stdout] = (Encoding.UTF8.GetDecoder(), new StringBuilder()),
            [OutputStream.Stderr] = (Encoding.UTF8.GetDecoder(), new StringBuilder()),
        };
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _armed = new(0);
        private readonly Task _timer;
        private bool _pending;
        private long _seq;

        public LogPump(Assign lease, Func<ProviderMessage, ValueTask> send, TimeSpan interval, int flushBytes)
        {
            _lease = lease;
            _send = send;
            _flushBytes = flushBytes;
            _timer = TickAsync(interval);
        }

        public async ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> bytes)
        {
            await _lock.WaitAsync();
            try
            {
                var (decoder, pending) = _streams[stream];
                var chars = new char[decoder.GetCharCount(bytes.Span, flush: false)];
                decoder.GetChars(bytes.Span, chars, flush: false);
                pending.Append(chars);
                if (pending.Length >= _flushBytes)
                    await FlushLockedAsync();
                else if (!_pending && pending.Length > 0)
                {
                    _pending = true;
                    _armed.Release();
                }
            }
            finally
            {
                _lock.Release();
            }
        }

        public async Task FlushAsync()
        {
            await _lock.WaitAsync();
            try
            {
                await FlushLockedAsync();
            }
            finally
            {
                _lock.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _timer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await FlushAsync();
            _stop.Dispose();
            _armed.Dispose();
        }

        private async Task FlushLockedAsync()
        {
            _pending = false;
            foreach (var (stream, (_, pending)) in _streams)
            {
                if (pending.Length == 0)
                    continue;
                var text = pending.ToString();
                pending.Clear();
                await _send(new LogData(_lease.JobId, _lease.Epoch, _seq++, stream == OutputStream.Stderr ? "stderr" : "stdout", text));
            }
        }

        /// <summary>Waits for output to be pending, gives more of it <paramref name="interval"/> to arrive, sends it.</summary>
        private async Task TickAsync(TimeSpan interval)
        {
            while (true)
            {
                await _armed.WaitAsync(_stop.Token);
                await Task.Delay(interval, _stop.Token);
                await FlushAsync();
            }
        }
    }
}
