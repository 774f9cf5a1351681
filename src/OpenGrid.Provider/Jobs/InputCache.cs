using System.Collections.Concurrent;
using OpenGrid.Core.Content;

namespace OpenGrid.Provider.Jobs;

/// <summary>
/// Inputs this provider has already fetched, by CID, under <c>$OPENGRID_HOME/cache</c>: a job whose inputs are here
/// starts without downloading them, and the coordinator prefers this provider for such jobs (the agent reports what
/// it holds). Files enter the cache only after a download whose bytes hashed to their CID, and jobs get a copy, never
/// the cached file itself (their work dir is writable). Least recently used files go when the cache passes its
/// byte budget.
/// </summary>
public sealed class InputCache
{
    /// <summary>How many CIDs the agent reports: the most recently used.</summary>
    public const int MaxReported = 1000;

    private readonly string _root;
    private readonly long _maxBytes;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _fetching = new(StringComparer.Ordinal);
    private readonly Lock _evictLock = new();

    public InputCache(string root, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        _root = root;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(root);
        // Leftovers of a fetch the agent died in are not content.
        foreach (var partial in Directory.EnumerateFiles(root, "*.partial"))
            File.Delete(partial);
    }

    /// <summary>Raised after the set of cached CIDs changed.</summary>
    public event Action? Changed;

    /// <summary>The cached CIDs, most recently used first, at most <see cref="MaxReported"/>.</summary>
    public IReadOnlyList<string> Cids() =>
        new DirectoryInfo(_root).EnumerateFiles().Where(f => f.Extension != ".partial")
            .OrderByDescending(f => f.LastAccessTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
            .Take(MaxReported).Select(f => f.Name).ToList();

    /// <summary>
    /// Places the content <paramref name="cid"/> at <paramref name="target"/>: a copy of the cached file, after
    /// fetching it with <paramref name="download"/> (which writes the bytes to the stream and must check them
    /// against the CID) when it is not cached. Returns whether it was served from the cache.
    /// </summary>
    public async Task<bool> PlaceAsync(Cid cid, string target, Func<Stream, Task> download, CancellationToken ct)
    {
        var name = cid.ToString();
        var cached = Path.Combine(_root, name);
        var gate = _fetching.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        bool hit;
        try
        {
            hit = File.Exists(cached);
            if (!hit)
            {
                var partial = cached + "." + Guid.NewGuid().ToString("N") + ".partial";
                try
                {
                    await using (var file = File.Create(partial))
                        await download(file);
                    File.Move(partial, cached, overwrite: true);
                }
                finally
                {
                    File.Delete(partial);
                }
            }
            File.SetLastAccessTimeUtc(cached, DateTime.UtcNow);
            File.Copy(cached, target, overwrite: true);
        }
        finally
        {
            gate.Release();
        }
        if (!hit)
        {
            Evict(keep: name);
            Changed?.Invoke();
        }
        return hit;
    }

    /// <summary>Deletes least recently used files until the cache fits its budget (never <paramref name="keep"/>).</summary>
    private void Evict(string keep)
    {
        lock (_evictLock)
        {
            var files = new DirectoryInfo(_root).EnumerateFiles().Where(f => f.Extension != ".partial").OrderBy(f => f.LastAccessTimeUtc).ToList();
            var total = files.Sum(f => f.Length);
            foreach (var file in files)
            {
                if (total <= _maxBytes)
                    break;
                if (file.Name == keep)
                    continue;
                total -= file.Length;
                file.Delete();
            }
        }
    }
}
