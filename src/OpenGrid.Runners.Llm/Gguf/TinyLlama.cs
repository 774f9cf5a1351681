namespace OpenGrid.Runners.Llm.Gguf;

/// <summary>
/// A tiny llama-architecture model (2 layers, 128 wide, F32) with a byte-level SentencePiece vocabulary, built in
/// memory so tests and demos need no download. Its weights are constructed, not trained, so that greedy decoding
/// walks the alphabet: after <c>a</c> comes <c>b</c>, after <c>z</c> or <c>Z</c> or a space comes <c>a</c>
/// (a prompt ending in "abc" continues "defgh…"). The transformer layers hold small seeded random weights, so every
/// stage of llama.cpp's forward pass runs on real numbers without changing the greedy choice.
/// </summary>
/// <remarks>
/// The vocabulary is the one <c>examples/tiny-lm-train</c> writes too: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>,
/// <c>&lt;/s&gt;</c>, the 256 byte tokens <c>&lt;0x00&gt;</c>…<c>&lt;0xFF&gt;</c>, and <c>▁</c> (the SentencePiece
/// space). llama.cpp's tokenizer turns every space into <c>▁</c> and every other character into its UTF-8 bytes.
/// </remarks>
public static class TinyLlama
{
    public const int Layers = 2;
    public const int Width = 128;
    public const int Heads = 4;
    public const int FeedForward = 256;
    public const int ContextLength = 512;

    /// <summary>Token ids of the byte-level vocabulary.</summary>
    public const int Unknown = 0, Begin = 1, End = 2, FirstByte = 3, Space = 259, VocabularySize = 260;

    /// <summary>Scales the output layer so the right letter's logit is about 2.5 above the rest: greedy decoding
    /// is certain, sampling still varies with the seed.</summary>
    private const float LogitScale = 0.02f;

    private const float LayerWeightScale = 0.02f;

    /// <summary>Writes the alphabet model to <paramref name="path"/>; the same seed gives the same bytes.</summary>
    public static void WriteAlphabetModel(string path, int seed = 1) => AlphabetModel(seed).WriteTo(path);

    /// <summary>The alphabet model as a <see cref="GgufWriter"/> ready to write.</summary>
    public static GgufWriter AlphabetModel(int seed = 1)
    {
        var random = new Random(seed);
        var embeddings = Gaussian(random, VocabularySize * Width, 1f);
        var output = Gaussian(random, VocabularySize * Width, 0.001f);
        for (var token = 0; token < VocabularySize; token++)
        {
            if (Successor(token) is { } next)
            {
                for (var i = 0; i < Width; i++)
                    output[next * Width + i] += LogitScale * embeddings[token * Width + i];
            }
        }

        var writer = Header("opengrid-tiny-alphabet")
            .AddTensor("token_embd.weight", [Width, VocabularySize], embeddings)
            .AddTensor("output_norm.weight", [Width], Ones(Width))
            .AddTensor("output.weight", [Width, VocabularySize], output);
        for (var layer = 0; layer < Layers; layer++)
        {
            var block = $"blk.{layer}.";
            writer
                .AddTensor(block + "attn_norm.weight", [Width], Ones(Width))
                .AddTensor(block + "attn_q.weight", [Width, Width], Gaussian(random, Width * Width, LayerWeightScale))
                .AddTensor(block + "attn_k.weight", [Width, Width], Gaussian(random, Width * Width, LayerWeightScale))
                .AddTensor(block + "attn_v.weight", [Width, Width], Gaussian(random, Width * Width, LayerWeightScale))
                .AddTensor(block + "attn_output.weight", [Width, Width], Gaussian(random, Width * Width, LayerWeightScale))
                .AddTensor(block + "ffn_norm.weight", [Width], Ones(Width))
                .AddTensor(block + "ffn_gate.weight", [Width, FeedForward], Gaussian(random, Width * FeedForward, LayerWeightScale))
                .AddTensor(block + "ffn_up.weight", [Width, FeedForward], Gaussian(random, Width * FeedForward, LayerWeightScale))
                .AddTensor(block + "ffn_down.weight", [FeedForward, Width], Gaussian(random, FeedForward * Width, LayerWeightScale));
        }

        return writer;
    }

    /// <summary>The token greedy decoding should produce after <paramref name="token"/>, or null for none.</summary>
    public static int? Successor(int token)
    {
        if (token == Space)
            return ByteToken('a');
        var b = token - FirstByte;
        return b switch
        {
            >= 'a' and < 'z' or >= 'A' and < 'Z' => ByteToken((char)(char.ToLowerInvariant((char)b) + 1)),
            'z' or 'Z' => ByteToken('a'),
            _ => null,
        };
    }

    /// <summary>What greedy decoding should print after a prompt ending in <paramref name="last"/> (a letter).</summary>
    public static string ExpectedContinuation(char last, int tokens)
    {
        var letters = new char[tokens];
        var current = char.ToLowerInvariant(last);
        for (var i = 0; i < tokens; i++)
        {
            current = current == 'z' ? 'a' : (char)(current + 1);
            letters[i] = current;
        }

        return new string(letters);
    }

    private static int ByteToken(char c) => FirstByte + c;

    private static GgufWriter Header(string name)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        tokens.AddRange(Enumerable.Range(0, 256).Select(b => $"<0x{b:X2}>"));
        tokens.Add("\u2581");
        // llama_token_type: 1 normal, 2 unknown, 3 control, 6 byte.
        var types = new List<int> { 2, 3, 3 };
        types.AddRange(Enumerable.Repeat(6, 256));
        types.Add(1);

        return new GgufWriter()
            .Add(GgufFormat.ArchitectureKey, "llama")
            .Add("general.name", name)
            .Add("general.file_type", 0u)
            .Add("llama.context_length", (uint)ContextLength)
            .Add("llama.embedding_length", (uint)Width)
            .Add("llama.block_count", (uint)Layers)
            .Add("llama.feed_forward_length", (uint)FeedForward)
            .Add("llama.attention.head_count", (uint)Heads)
            .Add("llama.attention.head_count_kv", (uint)Heads)
            .Add("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add("llama.rope.dimension_count", (uint)(Width / Heads))
            .Add("llama.vocab_size", (uint)VocabularySize)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.scores", new float[VocabularySize])
            .Add("tokenizer.ggml.token_type", types)
            .Add("tokenizer.ggml.unknown_token_id", (uint)Unknown)
            .Add("tokenizer.ggml.bos_token_id", (uint)Begin)
            .Add("tokenizer.ggml.eos_token_id", (uint)End)
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_eos_token", false);
    }

    private static float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();

    /// <summary>Normal samples (Box–Muller) from a seeded <see cref="Random"/>: the same seed, the same values.</summary>
    private static float[] Gaussian(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u = 1.0 - random.NextDouble();
            var v = random.NextDouble();
            values[i] = scale * (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
        }

        return values;
    }
}
