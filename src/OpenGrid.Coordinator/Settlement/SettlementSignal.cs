namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// Wakes the settlement worker when intents were written, and whoever waits on settlement (tests, og dev) when an
/// intent finished. Take the signal before reading the store, then await it, as with <c>JobSignals</c>.
/// </summary>
public sealed class SettlementSignal
{
    private TaskCompletionSource _work = NewSource();
    private TaskCompletionSource _progress = NewSource();

    public Task NextWork() => Volatile.Read(ref _work).Task;

    public void Work() => Interlocked.Exchange(ref _work, NewSource()).TrySetResult();

    public Task NextProgress() => Volatile.Read(ref _progress).Task;

    public void Progress() => Interlocked.Exchange(ref _progress, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
