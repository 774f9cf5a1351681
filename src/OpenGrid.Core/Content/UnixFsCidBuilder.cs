using System.Buffers;
using System.Security.Cryptography;

namespace OpenGrid.Core.Content;

/// <summary>
/// Computes, incrementally, the root CID that <c>ipfs add</c> gives a file (by default with
/// <c>--cid-version=1 --raw-leaves</c>): 262144-byte chunks, balanced DAG of at most 174 links per node.
/// Memory is bounded by one chunk plus the CIDs and sizes of the pending nodes of each level, whatever the file size.
/// </summary>
/// <remarks>
/// A file of at most one chunk (including the empty file) is a single leaf. Above that, kubo's balanced layout is
/// equivalent to grouping the leaves 174 at a time into parents, those parents 174 at a time, and so on until one
/// node is left, never collapsing a parent that has a single child. A parent is a dag-pb PBNode whose links are
/// <c>{Hash, Name = "", Tsize}</c> (Tsize: serialized size of the child's whole subtree) followed by a UnixFS
/// <c>Data{Type = File, filesize, blocksizes[]}</c>.
/// </remarks>
public sealed class UnixFsCidBuilder
{
    /// <summary>Bytes per leaf (kubo's default <c>size-262144</c> chunker).</summary>
    public const int ChunkSize = 262144;

    /// <summary>Links per dag-pb node in kubo's balanced layout.</summary>
    public const int MaxLinksPerNode = 174;

    // Field numbers from dag-pb's PBNode/PBLink and UnixFS's Data messages.
    private const int PbNodeData = 1, PbNodeLinks = 2;
    private const int PbLinkHash = 1, PbLinkName = 2, PbLinkTsize = 3;
    private const int UnixFsType = 1, UnixFsData = 2, UnixFsFileSize = 3, UnixFsBlockSizes = 4;
    private const ulong UnixFsTypeFile = 2;

    private readonly UnixFsImportProfile _profile;
    private readonly byte[] _chunk = new byte[ChunkSize];
    private readonly List<List<Node>> _levels = [];
    private readonly ProtobufWriter _node = new();
    private readonly ProtobufWriter _unixFs = new();
    private int _chunkLength;
    private Cid? _root;

    public UnixFsCidBuilder(UnixFsImportProfile profile = UnixFsImportProfile.CidV1RawLeaves)
    {
        if (!Enum.IsDefined(profile))
            throw new ArgumentOutOfRangeException(nameof(profile), profile, "Unknown import profile.");
        _profile = profile;
    }

    /// <summary>Bytes appended so far.</summary>
    public long Length { get; private set; }

    /// <summary>Computes the root CID of everything in <paramref name="stream"/>, read to its end.</summary>
    public static Task<Cid> ComputeAsync(Stream stream, CancellationToken ct) =>
        ComputeAsync(stream, UnixFsImportProfile.CidV1RawLeaves, ct);

    /// <summary>Computes the root CID of everything in <paramref name="stream"/> under the given profile.</summary>
    public static async Task<Cid> ComputeAsync(Stream stream, UnixFsImportProfile profile, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var builder = new UnixFsCidBuilder(profile);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ChunkSize), ct).ConfigureAwait(false)) > 0)
                builder.Append(buffer.AsSpan(0, read));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return builder.Complete();
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_root is not null)
            throw new InvalidOperationException("The builder is complete; start a new one for another file.");
        while (!data.IsEmpty)
        {
            // A full chunk becomes a leaf only once more data arrives: a file of exactly one chunk is a single leaf.
            if (_chunkLength == ChunkSize)
                FlushChunk();
            var n = Math.Min(ChunkSize - _chunkLength, data.Length);
            data[..n].CopyTo(_chunk.AsSpan(_chunkLength));
            _chunkLength += n;
            Length += n;
            data = data[n..];
        }
    }

    /// <summary>Finishes the DAG and returns its root. Further calls return the same CID; Append then throws.</summary>
    public Cid Complete()
    {
        if (_root is { } done)
            return done;
        if (_chunkLength > 0 || _levels.Count == 0)
            FlushChunk(); // the empty file is one empty leaf

        for (var level = 0; ; level++)
        {
            var pending = _levels[level];
            if (level == _levels.Count - 1 && pending.Count == 1)
            {
                _root = pending[0].Cid;
                return pending[0].Cid;
            }
            if (pending.Count > 0)
            {
                var parent = BuildParent(pending);
                pending.Clear();
                Add(level + 1, parent);
            }
        }
    }

    private void FlushChunk()
    {
        var data = _chunk.AsSpan(0, _chunkLength);
        _chunkLength = 0;
        Add(0, _profile == UnixFsImportProfile.CidV1RawLeaves
            ? new Node(Cid.ForRawBlock(data), (ulong)data.Length, (ulong)data.Length)
            : BuildDagPbLeaf(data));
    }

    private void Add(int level, Node node)
    {
        while (true)
        {
            if (level == _levels.Count)
                _levels.Add(new List<Node>(MaxLinksPerNode));
            var pending = _levels[level];
            pending.Add(node);
            if (pending.Count < MaxLinksPerNode)
                return;
            node = BuildParent(pending);
            pending.Clear();
            level++;
        }
    }

    private Node BuildDagPbLeaf(ReadOnlySpan<byte> data)
    {
        _unixFs.Clear();
        _unixFs.WriteVarintField(UnixFsType, UnixFsTypeFile);
        if (!data.IsEmpty)
            _unixFs.WriteBytesField(UnixFsData, data); // kubo leaves the field out for the empty file
        _unixFs.WriteVarintField(UnixFsFileSize, (ulong)data.Length);

        _node.Clear();
        _node.WriteBytesField(PbNodeData, _unixFs.WrittenSpan);
        return new Node(Cid.FromDigest(Cid.DagPbCodec, SHA256.HashData(_node.WrittenSpan)), (ulong)_node.Length, (ulong)data.Length);
    }

    private Node BuildParent(List<Node> children)
    {
        ulong fileSize = 0, treeSize = 0;
        _node.Clear();
        foreach (var child in children)
        {
            var hash = LinkHash(child.Cid);
            var linkLength = ProtobufWriter.BytesFieldSize(PbLinkHash, hash.Length)
                + ProtobufWriter.BytesFieldSize(PbLinkName, 0)
                + ProtobufWriter.VarintFieldSize(PbLinkTsize, child.TreeSize);
            _node.WriteLengthDelimitedHeader(PbNodeLinks, linkLength);
            _node.WriteBytesField(PbLinkHash, hash);
            _node.WriteBytesField(PbLinkName, []);
            _node.WriteVarintField(PbLinkTsize, child.TreeSize);
            fileSize += child.FileSize;
            treeSize += child.TreeSize;
        }

        _unixFs.Clear();
        _unixFs.WriteVarintField(UnixFsType, UnixFsTypeFile);
        _unixFs.WriteVarintField(UnixFsFileSize, fileSize);
        foreach (var child in children)
            _unixFs.WriteVarintField(UnixFsBlockSizes, child.FileSize);
        _node.WriteBytesField(PbNodeData, _unixFs.WrittenSpan);

        var cid = Cid.FromDigest(Cid.DagPbCodec, SHA256.HashData(_node.WrittenSpan));
        return new Node(cid, treeSize + (ulong)_node.Length, fileSize);
    }

    // CIDv0 links are the bare multihash; CIDv1 links are the whole binary CID.
    private byte[] LinkHash(Cid cid) =>
        _profile == UnixFsImportProfile.CidV1RawLeaves ? cid.ToBytes() : [0x12, Cid.DigestLength, .. cid.Digest.Span];

    /// <param name="TreeSize">Serialized bytes of the node and everything below it (a link's Tsize).</param>
    /// <param name="FileSize">File bytes the node covers (UnixFS filesize / the parent's blocksizes entry).</param>
    private readonly record struct Node(Cid Cid, ulong TreeSize, ulong FileSize);
}
