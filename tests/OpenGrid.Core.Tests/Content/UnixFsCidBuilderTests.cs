using OpenGrid.Core.Content;

namespace OpenGrid.Core.Tests.Content;

public class UnixFsCidBuilderTests
{
    private const int Chunk = UnixFsCidBuilder.ChunkSize;
    private const int OneFullParent = UnixFsCidBuilder.MaxLinksPerNode * Chunk;

    private const string EmptyFileCid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    [Fact]
    public void Empty_file_is_the_empty_raw_block()
    {
        var builder = new UnixFsCidBuilder();

        Assert.Equal(EmptyFileCid, builder.Complete().ToString());
        Assert.Equal(0, builder.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    public void File_of_at_most_one_chunk_is_a_single_raw_block(int size)
    {
        var data = PatternBytes(size);
        var builder = new UnixFsCidBuilder();

        builder.Append(data);

        var cid = builder.Complete();
        Assert.Equal(Cid.ForRawBlock(data), cid);
        Assert.StartsWith("bafk", cid.ToString(), StringComparison.Ordinal);
        Assert.Equal(size, builder.Length);
    }

    [Fact]
    public void One_byte_more_than_a_chunk_gets_a_dag_pb_root()
    {
        var builder = new UnixFsCidBuilder();

        builder.Append(PatternBytes(Chunk + 1));

        var cid = builder.Complete();
        Assert.Equal(Cid.DagPbCodec, cid.Codec);
        Assert.StartsWith("bafy", cid.ToString(), StringComparison.Ordinal);
    }

    // Content byte i = i mod 251. Expected CIDs computed with the JavaScript importer (ipfs-unixfs-importer 17.1.1:
    // cidVersion 1, rawLeaves, fixedSize 262144, balanced maxChildrenPerNode 174), which agrees with kubo.
    [Theory]
    [InlineData(Chunk + 1, "bafybeiexg2oqkfnj56l7fcmawswqbijt5shq4b5rg6a546uwpkqqzwjioi")]
    [InlineData(10 * 1024 * 1024, "bafybeih4kagh7adu5njlrodpibagiyttjpsfgsxw5buthmrw5edmkavvqi")]
    [InlineData(OneFullParent + 1, "bafybeib4y7ghw2rq7bracc4xwtxrbzo7cfvagdpte2tmrkgwl6dyard3cm")]
    public void Raw_leaves_root_matches_the_javascript_importer_vector(int size, string expected)
    {
        var builder = new UnixFsCidBuilder();

        AppendPattern(builder, size, sliceSize: 100_003);

        Assert.Equal(expected, builder.Complete().ToString());
        Assert.Equal(size, builder.Length);
    }

    [Fact]
    public void How_the_input_is_sliced_does_not_change_the_cid()
    {
        const int size = 3 * Chunk + 17;
        var whole = new UnixFsCidBuilder();
        whole.Append(PatternBytes(size));
        var inSlices = new UnixFsCidBuilder();

        AppendPattern(inSlices, size, sliceSize: 4093);

        Assert.Equal(whole.Complete(), inSlices.Complete());
    }

    [Fact]
    public async Task Compute_from_a_stream_equals_appending_the_same_bytes()
    {
        var data = PatternBytes(2 * Chunk + 5);
        var builder = new UnixFsCidBuilder();
        builder.Append(data);

        var fromStream = await UnixFsCidBuilder.ComputeAsync(new MemoryStream(data), CancellationToken.None);

        Assert.Equal(builder.Complete(), fromStream);
    }

    [Fact]
    public void Complete_is_idempotent_and_appending_afterwards_is_refused()
    {
        var builder = new UnixFsCidBuilder();
        builder.Append("abc"u8);
        var first = builder.Complete();

        Assert.Equal(first, builder.Complete());
        Assert.Throws<InvalidOperationException>(() => builder.Append("d"u8));
    }

    /// <summary>
    /// ipfs_cid only implements plain <c>ipfs add</c> (CIDv0 links, dag-pb leaves), so the comparison runs our
    /// builder in that profile: it checks chunking, the balanced layout, PBNode/PBLink encoding, Tsize and the
    /// UnixFS blocksizes, which the raw-leaves profile shares. Content is random, drawn fresh on every run.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(10 * 1024 * 1024)]
    [InlineData(OneFullParent + 1)] // forces a second level of parents
    public async Task Layout_matches_ipfs_cid_on_random_content(int size)
    {
        var seed = Random.Shared.Next();
        var file = Path.Combine(Path.GetTempPath(), $"opengrid-cid-{Guid.NewGuid():N}");
        try
        {
            WriteRandomFile(file, size, seed);

            var reference = await IpfsCidReference.ComputeAsync(file);
            Cid ours;
            await using (var stream = File.OpenRead(file))
                ours = await UnixFsCidBuilder.ComputeAsync(stream, UnixFsImportProfile.CidV0DagPbLeaves, CancellationToken.None);

            var context = $"size {size}, random seed {seed}";
            Assert.True(reference.CidV1 == ours.ToString(), $"ipfs_cid says {reference.CidV1}, we say {ours} ({context})");
            // ipfs_cid's CIDv1 is its CIDv0 multihash re-encoded, which is what the profile promises to return.
            Assert.Equal([0x12, Cid.DigestLength, .. ours.Digest.Span], IpfsCidReference.MultihashOfCidV0(reference.CidV0));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void WriteRandomFile(string path, int size, int seed)
    {
        var random = new Random(seed);
        var block = new byte[1024 * 1024];
        using var file = File.Create(path);
        for (var left = size; left > 0; left -= block.Length)
        {
            var n = Math.Min(left, block.Length);
            random.NextBytes(block.AsSpan(0, n));
            file.Write(block, 0, n);
        }
    }

    private static byte[] PatternBytes(int size)
    {
        var data = new byte[size];
        for (var i = 0; i < size; i++)
            data[i] = (byte)(i % 251);
        return data;
    }

    private static void AppendPattern(UnixFsCidBuilder builder, int size, int sliceSize)
    {
        var slice = new byte[sliceSize];
        for (long offset = 0; offset < size; offset += sliceSize)
        {
            var n = (int)Math.Min(sliceSize, size - offset);
            for (var i = 0; i < n; i++)
                slice[i] = (byte)((offset + i) % 251);
            builder.Append(slice.AsSpan(0, n));
        }
    }
}
