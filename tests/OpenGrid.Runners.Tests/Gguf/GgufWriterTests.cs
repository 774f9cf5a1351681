using OpenGrid.Runners.Llm.Gguf;

namespace OpenGrid.Runners.Tests.Gguf;

public class GgufWriterTests
{
    [Fact]
    public void Writes_metadata_that_reads_back_with_its_types()
    {
        using var stream = new MemoryStream();
        new GgufWriter()
            .Add(GgufFormat.ArchitectureKey, "llama")
            .Add("a.uint", 7u)
            .Add("a.int", -3)
            .Add("a.float", 0.5f)
            .Add("a.bool", true)
            .Add("a.strings", ["x", "yz"])
            .WriteTo(stream);
        stream.Position = 0;

        var model = GgufInspector.Inspect(stream, new GgufLimits()).Model;

        Assert.NotNull(model);
        Assert.Equal(
            new Dictionary<string, object>
            {
                [GgufFormat.ArchitectureKey] = "llama", ["a.uint"] = 7u, ["a.int"] = -3, ["a.float"] = 0.5f, ["a.bool"] = true,
            },
            model.Metadata);
    }

    [Fact]
    public void Aligns_each_tensor_so_the_file_ends_on_the_alignment()
    {
        using var stream = new MemoryStream();
        new GgufWriter().Add(GgufFormat.ArchitectureKey, "llama")
            .AddTensor("a", [3], [1, 2, 3]).AddTensor("b", [5], new float[5]).WriteTo(stream);
        stream.Position = 0;

        var model = GgufInspector.Inspect(stream, new GgufLimits()).Model;

        Assert.Equal(0, stream.Length % GgufFormat.DefaultAlignment);
        Assert.Equal((2L, 32L), (model!.TensorCount, model.TensorDataBytes));
    }

    [Fact]
    public void Writes_the_same_bytes_for_the_same_seed()
    {
        Assert.Equal(Bytes(TinyLlama.AlphabetModel(seed: 5)), Bytes(TinyLlama.AlphabetModel(seed: 5)));
        Assert.NotEqual(Bytes(TinyLlama.AlphabetModel(seed: 5)), Bytes(TinyLlama.AlphabetModel(seed: 6)));
    }

    [Fact]
    public void Rejects_a_tensor_whose_data_does_not_match_its_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => new GgufWriter().AddTensor("t", [2, 3], new float[5]));

        Assert.StartsWith("tensor 't' has shape [2, 3] but 5 values", e.Message);
    }

    [Fact]
    public void Rejects_a_name_used_twice()
    {
        var writer = new GgufWriter().AddTensor("t", [1], [0]).Add("k", 1u);

        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", [1], [0]));
        Assert.Throws<ArgumentException>(() => writer.Add("k", 2u));
    }

    private static byte[] Bytes(GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }
}
