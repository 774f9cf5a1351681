namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// One async lock per key, kept only while someone holds or waits for it: the settlement worker sends the opens under
/// one job authorization one at a time (a verified job's replicas are several jobs, sent in parallel lanes).
/// </summary>
internal sealed class KeyedLock
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = [];

    /// <summary>Waits for the key's lock; dispose the result to release it.</summary>
    public async Task<IDisposable> LockAsync(string key, CancellationToken ct)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!))
                _entries[key] = entry = new Entry();
            entry.Users++;
        }
        var held = false;
        try
        {
            await entry.Semaphore.WaitAsync(ct);
            held = true;
            return new Holder(this, key, entry);
        }
        finally
        {
            if (!held)
                Leave(key, entry);
        }
    }

    private void Leave(string key, Entry entry)
    {
        lock (_gate)
        {
            if (--entry.Users == 0)
                _entries.Remove(key);
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Holder(KeyedLock owner, string key, Entry entry) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            entry.Semaphore.Release();
            owner.Leave(key, entry);
        }
    }
}
