using System.Text;
using OpenGrid.Core.Content;
using OpenGrid.Provider.Jobs;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Jobs;

public sealed class InputCacheTests
{
    [Fact]
    public async Task A_second_placement_of_the_same_cid_is_a_copy_from_the_cache_without_a_download()
    {
        using var dir = new TempDir("opengrid-cache");
        var cache = new InputCache(dir.Combine("cache"), 1 << 20);
        var (cid, bytes) = await ContentAsync("weights v1");
        var downloads = 0;
        var changes = 0;
        cache.Changed += () => changes++;

        Assert.False(await cache.PlaceAsync(cid, dir.Combine("a"), Download(bytes, () => downloads++), default));
        Assert.True(await cache.PlaceAsync(cid, dir.Combine("b"), Download(bytes, () => downloads++), default));

        Assert.Equal(1, downloads);
        Assert.Equal(1, changes);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(dir.Combine("b")));
        Assert.Equal([cid.ToString()], cache.Cids());
        // The job's copy is its own: changing it leaves the cache intact.
        await File.WriteAllTextAsync(dir.Combine("b"), "scribbled on by a job");
        await cache.PlaceAsync(cid, dir.Combine("c"), Download(bytes, () => downloads++), default);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(dir.Combine("c")));
    }

    [Fact]
    public async Task A_failed_download_leaves_nothing_in_the_cache()
    {
        using var dir = new TempDir("opengrid-cache");
        var cache = new InputCache(dir.Combine("cache"), 1 << 20);
        var (cid, _) = await ContentAsync("never arrives");

        await Assert.ThrowsAsync<IOException>(() => cache.PlaceAsync(cid, dir.Combine("a"), async stream =>
        {
            await stream.WriteAsync("half"u8.ToArray());
            throw new IOException("connection reset");
        }, default));

        Assert.Empty(cache.Cids());
        Assert.Empty(Directory.GetFiles(dir.Combine("cache")));
    }

    [Fact]
    public async Task Past_its_budget_the_cache_drops_the_least_recently_used_input()
    {
        using var dir = new TempDir("opengrid-cache");
        var cache = new InputCache(dir.Combine("cache"), 2500);
        var (old, oldBytes) = await ContentAsync(new string('o', 1000));
        var (used, usedBytes) = await ContentAsync(new string('u', 1000));
        var (fresh, freshBytes) = await ContentAsync(new string('f', 1000));

        await cache.PlaceAsync(old, dir.Combine("1"), Download(oldBytes), default);
        File.SetLastAccessTimeUtc(dir.Combine("cache", old.ToString()), DateTime.UtcNow.AddMinutes(-2));
        await cache.PlaceAsync(used, dir.Combine("2"), Download(usedBytes), default);
        File.SetLastAccessTimeUtc(dir.Combine("cache", used.ToString()), DateTime.UtcNow.AddMinutes(-1));
        await cache.PlaceAsync(fresh, dir.Combine("3"), Download(freshBytes), default);

        Assert.Equal([fresh.ToString(), used.ToString()], cache.Cids());
    }

    private static Func<Stream, Task> Download(byte[] bytes, Action? counted = null) => async stream =>
    {
        counted?.Invoke();
        await stream.WriteAsync(bytes);
    };

    private static async Task<(Cid Cid, byte[] Bytes)> ContentAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return (await UnixFsCidBuilder.ComputeAsync(new MemoryStream(bytes), default), bytes);
    }
}
