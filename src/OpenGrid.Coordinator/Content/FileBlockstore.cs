using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenGrid.Core.Content;

namespace OpenGrid.Coordinator.Content;

/// <summary>
/// Objects on the local filesystem, keyed by the root CID that <c>ipfs add --cid-version=1 --raw-leaves</c> gives
/// them. Layout under <see cref="ContentStoreOptions.Root"/>: <c>objects/&lt;2 chars&gt;/&lt;cid&gt;</c> (one file per
/// object), <c>tmp/</c> for uploads in flight, <c>quarantine/</c> for objects that failed their hash check.
/// </summary>
/// <remarks>
/// Uploads are hashed while they stream to a temporary file and renamed into place only when complete, so an
/// object's path exists only with its full content. Reads are re-hashed before they are served.
/// </remarks>
public sealed partial class FileBlockstore
{
    // The text of every CID starts "bafkrei" or "bafybei" ('b' + the base32 of its fixed 4-byte header); the next
    // two characters are the first that depend on the digest, and give 8 × 32 = 256 folders.
    private const int ShardStart = 7;
    private const int ShardLength = 2;
    private const int CopyBufferBytes = 128 * 1024;

    private readonly string _objects;
    private readonly string _tmp;
    private readonly string _quarantine;
    private readonly long _maxObjectBytes;
    private readonly ILogger _logger;

    public FileBlockstore(ContentStoreOptions options, ILogger<FileBlockstore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new ArgumentException(string.Join("; ", problems), nameof(options));

        var root = Path.GetFullPath(options.Root);
        _objects = Directory.CreateDirectory(Path.Combine(root, "objects")).FullName;
        _tmp = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName;
        _quarantine = Directory.CreateDirectory(Path.Combine(root, "quarantine")).FullName;
        _maxObjectBytes = options.MaxObjectBytes;
        _logger = logger ?? NullLogger<FileBlockstore>.Instance;
    }

    /// <summary>
    /// Streams <paramref name="body"/> into the store. Refuses before reading anything when
    /// <paramref name="declaredLength"/> is over the limit, stops reading as soon as the limit is passed, and
    /// rejects a body whose length differs from the declared one. Nothing is left behind unless it returns
    /// <see cref="ContentPutResult.Stored"/>, whether it returns a rejection or throws (I/O error, cancellation).
    /// </summary>
    public async Task<ContentPutResult> PutAsync(Stream body, long? declaredLength, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(declaredLength ?? 0, nameof(declaredLength));
        if (declaredLength > _maxObjectBytes)
            return new ContentPutResult.TooLarge(_maxObjectBytes);

        var tempPath = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        var builder = new UnixFsCidBuilder();
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        var placed = false;
        try
        {
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                bufferSize: 0, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, CopyBufferBytes), ct)) > 0)
                {
                    if (builder.Length + read > _maxObjectBytes)
                        return new ContentPutResult.TooLarge(_maxObjectBytes);
                    if (builder.Length + read > declaredLength)
                        return new ContentPutResult.Incomplete(builder.Length + read, declaredLength.Value);
                    builder.Append(buffer.AsSpan(0, read));
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                if (declaredLength is { } declared && builder.Length != declared)
                    return new ContentPutResult.Incomplete(builder.Length, declared);
                // Durable before it becomes visible: the rename below must never expose a partly written object.
                file.Flush(flushToDisk: true);
            }

            var cid = builder.Complete();
            var objectPath = ObjectPath(cid);
            Directory.CreateDirectory(Path.GetDirectoryName(objectPath)!);
            // Atomic rename. If the object is already there (earlier or concurrent put of the same bytes), replacing
            // it with these just-hashed bytes is harmless and repairs a copy that rotted on disk.
            File.Move(tempPath, objectPath, overwrite: true);
            placed = true;
            return new ContentPutResult.Stored(cid, builder.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!placed)
                File.Delete(tempPath); // no-op when the file was never created
        }
    }

    /// <summary>Whether an object is stored under <paramref name="cid"/> (without re-hashing it).</summary>
    public bool Contains(Cid cid) => File.Exists(ObjectPath(cid));

    /// <summary>The stored object's size in bytes, or null when absent.</summary>
    public long? SizeOf(Cid cid)
    {
        var info = new FileInfo(ObjectPath(cid));
        return info.Exists ? info.Length : null;
    }

    /// <summary>
    /// Opens the object for reading after re-hashing it; null when absent. The returned stream is the handle that
    /// was hashed, so what is served is what was checked. On a mismatch the file is moved to <c>quarantine/</c> and
    /// <see cref="ContentCorruptException"/> is thrown.
    /// </summary>
    public async Task<Stream?> OpenVerifiedAsync(Cid cid, CancellationToken ct)
    {
        var path = ObjectPath(cid);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                CopyBufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        Cid actual;
        try
        {
            actual = await UnixFsCidBuilder.ComputeAsync(file, ct);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
        if (actual == cid)
        {
            file.Position = 0;
            return file;
        }

        await file.DisposeAsync();
        var quarantined = Quarantine(path, cid);
        LogQuarantined(cid, actual, quarantined ?? "(moved by a concurrent read)");
        throw new ContentCorruptException(cid, actual, quarantined);
    }

    /// <summary>Moves a corrupt object aside; null when a concurrent read found the same corruption and moved it first.</summary>
    private string? Quarantine(string path, Cid cid)
    {
        var target = Path.Combine(_quarantine, $"{cid}.{Guid.NewGuid():N}");
        try
        {
            File.Move(path, target);
            return target;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private string ObjectPath(Cid cid)
    {
        var text = cid.ToString();
        if (text.Length == 0)
            throw new ArgumentException("default(Cid) names no object", nameof(cid));
        return Path.Combine(_objects, text.Substring(ShardStart, ShardLength), text);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored object {Cid} hashes to {ActualCid}; moved to {QuarantinePath}")]
    private partial void LogQuarantined(Cid cid, Cid actualCid, string quarantinePath);
}
