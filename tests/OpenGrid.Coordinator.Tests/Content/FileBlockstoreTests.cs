using OpenGrid.Coordinator.Content;
using OpenGrid.Core.Content;

namespace OpenGrid.Coordinator.Tests.Content;

public sealed class FileBlockstoreTests : IDisposable
{
    private const long Limit = 1024 * 1024;
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(10);

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"opengrid-blockstore-{Guid.NewGuid():N}");
    private readonly FileBlockstore _store;

    public FileBlockstoreTests()
    {
        _store = new FileBlockstore(new ContentStoreOptions { Root = _root, MaxObjectBytes = Limit });
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(UnixFsCidBuilder.ChunkSize * 3 + 7)]
    public async Task Stores_bytes_under_their_ipfs_cid_and_reads_them_back(int size)
    {
        var data = RandomBytes(size);

        var result = await _store.PutAsync(new MemoryStream(data), data.Length, CancellationToken.None);

        var stored = Assert.IsType<ContentPutResult.Stored>(result);
        Assert.Equal(await UnixFsCidBuilder.ComputeAsync(new MemoryStream(data), CancellationToken.None), stored.Cid);
        Assert.Equal(size, stored.Size);
        Assert.True(_store.Contains(stored.Cid));
        Assert.Equal(size, _store.SizeOf(stored.Cid));
        Assert.Equal(data, await ReadAllAsync(stored.Cid));
        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task Accepts_a_body_without_a_declared_length()
    {
        var data = RandomBytes(1000);

        var result = await _store.PutAsync(new MemoryStream(data), declaredLength: null, CancellationToken.None);

        Assert.Equal(Cid.ForRawBlock(data), Assert.IsType<ContentPutResult.Stored>(result).Cid);
    }

    [Fact]
    public async Task Objects_live_in_a_folder_named_by_the_two_characters_after_the_cid_prefix()
    {
        var stored = await PutAsync(RandomBytes(100));

        var text = stored.Cid.ToString();
        Assert.StartsWith("bafkrei", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "objects", text[7..9], text)));
    }

    [Fact]
    public async Task Putting_the_same_bytes_twice_stores_one_object()
    {
        var data = RandomBytes(5000);

        var first = await PutAsync(data);
        var second = await PutAsync(data);

        Assert.Equal(first, second);
        Assert.Single(ObjectFiles());
        Assert.Equal(data, await ReadAllAsync(first.Cid));
    }

    [Fact]
    public async Task Refuses_a_declared_length_over_the_limit_without_reading_the_body()
    {
        var result = await _store.PutAsync(new UnreadableStream(), Limit + 1, CancellationToken.None);

        Assert.Equal(new ContentPutResult.TooLarge(Limit), result);
        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task Stops_reading_an_undeclared_body_once_it_passes_the_limit_and_keeps_nothing()
    {
        var body = new PatternStream(length: 100 * Limit);

        var result = await _store.PutAsync(body, declaredLength: null, CancellationToken.None);

        Assert.Equal(new ContentPutResult.TooLarge(Limit), result);
        Assert.True(body.BytesRead < 2 * Limit, $"read {body.BytesRead} bytes of a body over a {Limit}-byte limit");
        Assert.Empty(TempFiles());
        Assert.Empty(ObjectFiles());
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_stored()
    {
        var stored = await PutAsync(RandomBytes((int)Limit));

        Assert.Equal(Limit, stored.Size);
    }

    [Fact]
    public async Task A_body_shorter_than_declared_is_incomplete_and_keeps_nothing()
    {
        var result = await _store.PutAsync(new MemoryStream(RandomBytes(700)), 1000, CancellationToken.None);

        Assert.Equal(new ContentPutResult.Incomplete(700, 1000), result);
        Assert.Empty(TempFiles());
        Assert.Empty(ObjectFiles());
    }

    [Fact]
    public async Task A_body_longer_than_declared_is_rejected_and_keeps_nothing()
    {
        var result = await _store.PutAsync(new MemoryStream(RandomBytes(1200)), 1000, CancellationToken.None);

        Assert.IsType<ContentPutResult.Incomplete>(result);
        Assert.Empty(TempFiles());
        Assert.Empty(ObjectFiles());
    }

    [Fact]
    public async Task A_body_that_fails_mid_stream_leaves_no_temp_file()
    {
        var body = new PatternStream(length: Limit, failAfter: 300_000);

        await Assert.ThrowsAsync<IOException>(() => _store.PutAsync(body, Limit, CancellationToken.None));

        Assert.Empty(TempFiles());
        Assert.Empty(ObjectFiles());
    }

    [Fact]
    public async Task A_cancelled_upload_leaves_no_temp_file()
    {
        using var cts = new CancellationTokenSource();
        var body = new PatternStream(length: Limit, onRead: cts.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.PutAsync(body, Limit, cts.Token));

        Assert.Empty(TempFiles());
        Assert.Empty(ObjectFiles());
    }

    [Fact]
    public async Task Reading_a_cid_that_is_not_stored_gives_null()
    {
        var absent = Cid.ForRawBlock("never stored"u8);

        Assert.Null(await _store.OpenVerifiedAsync(absent, CancellationToken.None));
        Assert.False(_store.Contains(absent));
        Assert.Null(_store.SizeOf(absent));
    }

    [Fact]
    public async Task A_corrupted_object_is_detected_on_read_and_quarantined()
    {
        var stored = await PutAsync(RandomBytes(UnixFsCidBuilder.ChunkSize + 100));
        var path = Assert.Single(ObjectFiles());
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        var ex = await Assert.ThrowsAsync<ContentCorruptException>(() => _store.OpenVerifiedAsync(stored.Cid, CancellationToken.None));

        Assert.Equal(stored.Cid, ex.Expected);
        Assert.NotEqual(stored.Cid, ex.Actual);
        Assert.False(_store.Contains(stored.Cid));
        var quarantined = Assert.Single(Directory.GetFiles(Path.Combine(_root, "quarantine")));
        Assert.Equal(ex.QuarantinePath, quarantined);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(quarantined));
    }

    [Fact]
    public async Task Concurrent_puts_of_the_same_bytes_all_succeed_with_one_object()
    {
        const int uploads = 8;
        var data = RandomBytes(UnixFsCidBuilder.ChunkSize * 2 + 1);
        var gate = new StartGate(uploads);

        // Each body blocks on its first read until all uploads are streaming, so their temp files coexist.
        var results = await Task.WhenAll(Enumerable.Range(0, uploads).Select(_ =>
            _store.PutAsync(new GatedStream(data, gate), data.Length, CancellationToken.None)));

        var cids = results.Select(r => Assert.IsType<ContentPutResult.Stored>(r).Cid).Distinct();
        var cid = Assert.Single(cids);
        Assert.Single(ObjectFiles());
        Assert.Empty(TempFiles());
        Assert.Equal(data, await ReadAllAsync(cid));
    }

    [Fact]
    public void Refuses_settings_with_a_non_positive_limit_naming_the_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new FileBlockstore(new ContentStoreOptions { Root = _root, MaxObjectBytes = 0 }));

        Assert.Contains("ContentStore:MaxObjectBytes", ex.Message, StringComparison.Ordinal);
    }

    private async Task<ContentPutResult.Stored> PutAsync(byte[] data) =>
        Assert.IsType<ContentPutResult.Stored>(await _store.PutAsync(new MemoryStream(data), data.Length, CancellationToken.None));

    private async Task<byte[]> ReadAllAsync(Cid cid)
    {
        await using var stream = await _store.OpenVerifiedAsync(cid, CancellationToken.None);
        Assert.NotNull(stream);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private string[] TempFiles() => Directory.GetFiles(Path.Combine(_root, "tmp"));

    private string[] ObjectFiles() => Directory.GetFiles(Path.Combine(_root, "objects"), "*", SearchOption.AllDirectories);

    private static byte[] RandomBytes(int size)
    {
        var data = new byte[size];
        Random.Shared.NextBytes(data);
        return data;
    }

    /// <summary>A body that must not be touched.</summary>
    private sealed class UnreadableStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("the body was read");
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the body was read");
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A generated body that counts what was read, and can fail or run a callback part-way.</summary>
    private sealed class PatternStream(long length, long failAfter = long.MaxValue, Action? onRead = null) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            onRead?.Invoke();
            if (BytesRead >= failAfter)
                throw new IOException("connection reset");
            var n = (int)Math.Min(buffer.Length, length - BytesRead);
            for (var i = 0; i < n; i++)
                buffer[i] = (byte)((BytesRead + i) % 251);
            BytesRead += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class StartGate(int parties)
    {
        private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public async Task ArriveAndWaitAsync()
        {
            if (Interlocked.Increment(ref _arrived) == parties)
                _allArrived.SetResult();
            try
            {
                await _allArrived.Task.WaitAsync(SignalTimeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"not all {parties} concurrent uploads started reading within {SignalTimeout}");
            }
        }
    }

    private sealed class GatedStream(byte[] data, StartGate gate) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        private bool _started;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_started)
            {
                _started = true;
                await gate.ArriveAndWaitAsync();
            }
            return await _inner.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
