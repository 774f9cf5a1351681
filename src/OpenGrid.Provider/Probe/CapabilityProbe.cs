using Microsoft.Extensions.Logging;

namespace OpenGrid.Provider.Probe;

/// <summary>
/// Runs every <see cref="ICapabilityDetector"/> at once, each under <paramref name="timeout"/>, and returns the union
/// of what they found, sorted. A detector that throws or runs out of time is logged as a warning and contributes
/// nothing: a broken runtime makes the provider offer less, never fail to start.
/// </summary>
public static partial class CapabilityProbe
{
    /// <summary>How long one detector may take at agent start.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyList<string>> DetectAsync(
        IReadOnlyList<ICapabilityDetector> detectors, TimeSpan timeout, ILogger log, CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(detectors.Select(d => RunOneAsync(d, timeout, log, cancellationToken))).ConfigureAwait(false);
        return [.. found.SelectMany(c => c).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static async Task<IReadOnlyList<string>> RunOneAsync(ICapabilityDetector detector, TimeSpan timeout, ILogger log, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            // Off the caller's thread: a detector that blocks before its first await must not hold up the others.
            var capabilities = await Task.Run(() => detector.DetectAsync(deadline.Token), deadline.Token)
                .WaitAsync(deadline.Token).ConfigureAwait(false);
            LogDetected(log, detector.Name, capabilities.Count == 0 ? "(absent)" : string.Join(",", capabilities));
            return capabilities;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            LogTimedOut(log, detector.Name, timeout.TotalSeconds);
            return [];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Logged, not swallowed: the provider runs on without this capability and says why.
            LogFailed(log, detector.Name, e.Message, e);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Capability probe {Detector}: {Capabilities}")]
    private static partial void LogDetected(ILogger log, string detector, string capabilities);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Capability probe {Detector} did not finish within {Seconds} s; not offered")]
    private static partial void LogTimedOut(ILogger log, string detector, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Capability probe {Detector} failed: {Reason}; not offered")]
    private static partial void LogFailed(ILogger log, string detector, string reason, Exception exception);
}
