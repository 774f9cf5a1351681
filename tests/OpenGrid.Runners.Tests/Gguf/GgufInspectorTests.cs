using System.Buffers.Binary;
using System.Text;
using OpenGrid.Runners.Llm.Gguf;

namespace OpenGrid.Runners.Tests.Gguf;

public class GgufInspectorTests
{
    private static readonly GgufLimits Limits = new();

    /// <summary>One metadata entry (general.architecture = "llama") and one [64] F32 tensor named "t".</summary>
    private static byte[] Small()
    {
        using var stream = new MemoryStream();
        new GgufWriter().Add(GgufFormat.ArchitectureKey, "llama").AddTensor("t", [64], new float[64]).WriteTo(stream);
        return stream.ToArray();
    }

    // Byte positions in Small(): a 24-byte header, then the entry (8 + 20 key, 4 type, 8 + 5 value), then the tensor
    // info: name (8 + 1), dimension count (4), one dimension (8), type (4), offset (8).
    private const int TensorInfo = 24 + 28 + 4 + 13;
    private const int TensorType = TensorInfo + 9 + 4 + 8;
    private const int TensorOffset = TensorType + 4;

    [Fact]
    public void Accepts_the_tiny_model_and_reports_what_it_declares()
    {
        using var stream = new MemoryStream();
        TinyLlama.AlphabetModel().WriteTo(stream);
        stream.Position = 0;

        var model = Inspect(stream.ToArray()).Model;

        Assert.NotNull(model);
        Assert.Equal(("llama", 3u, 21L), (model.Architecture, model.Version, model.TensorCount));
        Assert.Equal(TinyLlama.ContextLength, model.ContextLength);
        Assert.Equal(stream.Length, model.FileBytes);
        var floats = (2L * TinyLlama.VocabularySize * TinyLlama.Width) + TinyLlama.Width
            + (TinyLlama.Layers * ((2L * TinyLlama.Width) + (4L * TinyLlama.Width * TinyLlama.Width)
                + (3L * TinyLlama.Width * TinyLlama.FeedForward)));
        Assert.Equal(floats * sizeof(float), model.TensorDataBytes);
    }

    [Fact]
    public void Refuses_bad_magic()
    {
        var bytes = Small();
        bytes[0] = (byte)'X';

        Assert.Equal("bad magic 0x46554758 (a GGUF file starts with the bytes 'GGUF')", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_a_file_shorter_than_the_header()
    {
        Assert.Equal("the file is truncated: 10 bytes, a GGUF header alone takes 24", Inspect(Small()[..10]).Error);
    }

    [Fact]
    public void Refuses_a_file_cut_inside_its_metadata()
    {
        Assert.StartsWith("the file is truncated: the value of 'general.architecture' at byte 56", Inspect(Small()[..60]).Error);
    }

    [Fact]
    public void Refuses_a_file_cut_inside_its_tensor_data()
    {
        var bytes = Small();

        var error = Inspect(bytes[..^1]).Error;

        Assert.Equal($"tensor 't' ends at byte {bytes.Length}, past the end of the file ({bytes.Length - 1} bytes): the file is truncated or corrupt", error);
    }

    [Fact]
    public void Refuses_a_tensor_whose_offset_points_past_the_end_of_the_file()
    {
        var bytes = Small();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(TensorOffset), 1L << 40);

        Assert.Contains("tensor 't' ends at byte 1099511628", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_a_misaligned_tensor_offset()
    {
        var bytes = Small();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(TensorOffset), 4);

        Assert.Equal("tensor 't' has data offset 4, not a multiple of the alignment 32", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_an_unknown_or_removed_tensor_type()
    {
        var bytes = Small();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(TensorType), 4);

        Assert.Equal("tensor 't' has unknown type 4", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_rows_that_are_not_whole_quantization_blocks()
    {
        var bytes = Small();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(TensorType), 12);

        Assert.Equal("tensor 't' has rows of 64 elements, not a multiple of the q4_K block size 256", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_version_1()
    {
        var bytes = Small();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 1);

        Assert.Equal("GGUF version 1 is not supported (2 and 3 are)", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_a_tensor_count_past_the_limit_before_reading_further()
    {
        var bytes = Small();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 1_000_000_000_000);

        Assert.Equal("the file declares 1000000000000 tensors, more than the limit of 65536", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_a_declared_string_length_longer_than_the_file()
    {
        var bytes = Small();
        // The value of general.architecture: its length is right after the key and the type.
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24 + 28 + 4), 1L << 40);

        Assert.StartsWith("the file is truncated: the value of 'general.architecture'", Inspect(bytes).Error);
    }

    [Fact]
    public void Refuses_a_file_larger_than_the_limit()
    {
        var bytes = Small();

        var inspection = GgufInspector.Inspect(new MemoryStream(bytes), new GgufLimits(MaxFileBytes: 100));

        Assert.Equal($"the file is {bytes.Length} bytes, more than the limit of 100", inspection.Error);
    }

    [Fact]
    public void Refuses_a_file_without_an_architecture()
    {
        using var stream = new MemoryStream();
        new GgufWriter().Add("general.name", "x").WriteTo(stream);

        Assert.Equal("the string 'general.architecture' is missing", Inspect(stream.ToArray()).Error);
    }

    [Fact]
    public void Refuses_a_duplicate_metadata_key()
    {
        using var stream = new MemoryStream();
        new GgufWriter().Add(GgufFormat.ArchitectureKey, "llama").Add("general.aaa", 1u).Add("general.bbb", 2u).WriteTo(stream);
        var bytes = stream.ToArray();
        var at = Encoding.ASCII.GetString(bytes).IndexOf("general.bbb", StringComparison.Ordinal);
        Encoding.ASCII.GetBytes("general.aaa").CopyTo(bytes, at);

        Assert.Equal("metadata key 'general.aaa' appears twice", Inspect(bytes).Error);
    }

    private static GgufInspection Inspect(byte[] bytes) => GgufInspector.Inspect(new MemoryStream(bytes), Limits);
}
