using System.Security.Cryptography;
using System.Text;
using OpenGrid.Core.Content;

namespace OpenGrid.Core.Tests.Content;

public class CidTests
{
    // Computed independently: sha256sum, then Python's base64.b32encode over 0x01 0x55 0x12 0x20 ‖ digest.
    private const string EmptyRawCid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    private const string HelloWorldRawCid = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
    private const string HelloWorldSha256 = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";

    // What ipfs_cid prints for a file containing "hello world\n" (dag-pb leaf, CIDv1 form).
    private const string HelloWorldDagPbCid = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby";

    [Fact]
    public void Raw_cid_of_the_empty_block_matches_the_known_vector()
    {
        Assert.Equal(EmptyRawCid, Cid.ForRawBlock([]).ToString());
    }

    [Fact]
    public void Raw_cid_of_hello_world_matches_the_known_vector()
    {
        var cid = Cid.ForRawBlock(Encoding.ASCII.GetBytes("hello world\n"));

        Assert.Equal(HelloWorldRawCid, cid.ToString());
        Assert.Equal(Cid.RawCodec, cid.Codec);
        Assert.Equal(HelloWorldSha256, Convert.ToHexStringLower(cid.Digest.Span));
    }

    [Theory]
    [InlineData(EmptyRawCid, Cid.RawCodec)]
    [InlineData(HelloWorldRawCid, Cid.RawCodec)]
    [InlineData(HelloWorldDagPbCid, Cid.DagPbCodec)]
    public void Parsing_then_formatting_gives_back_the_same_text(string text, ulong codec)
    {
        var cid = Cid.Parse(text);

        Assert.Equal(text, cid.ToString());
        Assert.Equal(codec, cid.Codec);
        Assert.Equal(Cid.DigestLength, cid.Digest.Length);
    }

    [Fact]
    public void A_built_cid_parses_back_to_an_equal_value()
    {
        var built = Cid.FromDigest(Cid.DagPbCodec, SHA256.HashData("x"u8));

        var parsed = Cid.Parse(built.ToString());

        Assert.Equal(built, parsed);
        Assert.True(built == parsed);
        Assert.Equal(built.GetHashCode(), parsed.GetHashCode());
        Assert.StartsWith("bafy", built.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_binary_form_is_version_codec_multihash_then_digest()
    {
        var cid = Cid.Parse(HelloWorldRawCid);

        var bytes = cid.ToBytes();

        Assert.Equal("01551220" + HelloWorldSha256, Convert.ToHexStringLower(bytes));
        Assert.True(Cid.TryFromBytes(bytes, out var back));
        Assert.Equal(cid, back);
    }

    [Fact]
    public void Same_digest_with_different_codecs_are_different_cids()
    {
        var digest = SHA256.HashData("x"u8);

        Assert.NotEqual(Cid.FromDigest(Cid.RawCodec, digest), Cid.FromDigest(Cid.DagPbCodec, digest));
    }

    [Fact]
    public void Equality_is_by_value_not_by_reference()
    {
        var a = Cid.ForRawBlock("same"u8);
        var b = Cid.ForRawBlock("same"u8);

        Assert.Equal(a, b);
        Assert.NotEqual(a, Cid.ForRawBlock("other"u8));
        Assert.Single(new HashSet<Cid> { a, b });
    }

    [Fact]
    public void Default_cid_prints_empty_and_equals_only_itself()
    {
        var none = default(Cid);

        Assert.Equal("", none.ToString());
        Assert.Empty(none.ToBytes());
        Assert.True(none.Digest.IsEmpty);
        Assert.Equal(default, none);
        Assert.NotEqual(none, Cid.ForRawBlock([]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("b")]
    [InlineData("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")] // CIDv0 (base58btc multihash)
    [InlineData("BAFKREIHDWDCEFGH4DQKJV67UZCMW7OJEE6XEDZDETOJUZJEVTENXQUVYKU")] // multibase base32 upper
    [InlineData("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA")] // base58btc CIDv1
    [InlineData("mAVUSIOOwxEKY/BwUmvv0yJlvuSQnrkHkZJuTTKSVmRt4UrhV")] // base64 CIDv1
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk")] // one character short
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykua")] // one character long
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykv")] // non-zero padding bits
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku=")] // padding
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk1")] // '1' is not base32
    [InlineData(" bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku ")]
    public void Rejects_text_that_is_not_a_base32_sha256_cidv1(string? text)
    {
        Assert.False(Cid.TryParse(text, out var cid));
        Assert.Equal(default, cid);
    }

    [Theory]
    [InlineData("00551220", "version 0")]
    [InlineData("02551220", "version 2")]
    [InlineData("01711220", "dag-cbor codec")]
    [InlineData("01801220", "codec varint not minimal")]
    [InlineData("01551320", "sha2-512 hash code")]
    [InlineData("01551e20", "blake3 hash code")]
    [InlineData("01551240", "digest length 64")]
    [InlineData("01551221", "digest length 33")]
    public void Rejects_binary_cids_other_than_sha256_raw_or_dag_pb_version_1(string headerHex, string why)
    {
        var header = Convert.FromHexString(headerHex);
        byte[] bytes = [.. header, .. new byte[Cid.DigestLength]];

        Assert.False(Cid.TryFromBytes(bytes, out _), why);
        Assert.False(Cid.TryParse(Base32Lower(bytes), out _), why);
    }

    [Fact]
    public void Rejects_a_valid_header_with_a_truncated_digest()
    {
        var bytes = Cid.ForRawBlock([]).ToBytes()[..^1];

        Assert.False(Cid.TryFromBytes(bytes, out _));
        Assert.False(Cid.TryParse(Base32Lower(bytes), out _));
    }

    [Fact]
    public void The_independent_base32_helper_agrees_with_the_known_vector()
    {
        // Guards the rejection tests above: they are only meaningful if this helper encodes correctly.
        Assert.Equal(EmptyRawCid, Base32Lower(Cid.ForRawBlock([]).ToBytes()));
    }

    [Fact]
    public void Rejects_a_valid_cid_with_trailing_bytes()
    {
        byte[] bytes = [.. Cid.ForRawBlock([]).ToBytes(), 0x00];

        Assert.False(Cid.TryFromBytes(bytes, out _));
        Assert.False(Cid.TryParse(Base32Lower(bytes), out _));
    }

    [Fact]
    public void Rejects_text_far_longer_than_any_cid_without_decoding_it()
    {
        Assert.False(Cid.TryParse("b" + new string('a', 100_000), out _));
    }

    [Fact]
    public void Parse_throws_a_format_exception_naming_the_input()
    {
        var ex = Assert.Throws<FormatException>(() => Cid.Parse("Qmnope"));

        Assert.Contains("Qmnope", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_digest_refuses_other_codecs_and_digest_lengths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Cid.FromDigest(0x71, new byte[Cid.DigestLength]));
        Assert.Throws<ArgumentException>(() => Cid.FromDigest(Cid.RawCodec, new byte[31]));
    }

    // RFC 4648 base32 written out bit by bit, independent of the production codec.
    private static string Base32Lower(ReadOnlySpan<byte> data)
    {
        var bits = new StringBuilder();
        foreach (var b in data)
            bits.Append(Convert.ToString(b, 2).PadLeft(8, '0'));
        while (bits.Length % 5 != 0)
            bits.Append('0');
        var text = new StringBuilder("b");
        for (var i = 0; i < bits.Length; i += 5)
            text.Append("abcdefghijklmnopqrstuvwxyz234567"[Convert.ToInt32(bits.ToString(i, 5), 2)]);
        return text.ToString();
    }
}
