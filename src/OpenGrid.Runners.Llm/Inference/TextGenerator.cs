using System.Diagnostics;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

namespace OpenGrid.Runners.Llm.Inference;

/// <summary>What to generate: the model (already inspected), the prompt and the decoding settings.</summary>
/// <param name="Temperature">0 = greedy; above 0, top-k 40 / top-p 0.95 / min-p 0.05 sampling seeded by
/// <paramref name="Seed"/>, so the same seed gives the same text.</param>
/// <param name="Context">Context window in tokens; 0 = prompt plus <paramref name="MaxTokens"/>.</param>
internal sealed record GenerationRequest(
    string ModelPath,
    long? TrainedContext,
    string Prompt,
    int MaxTokens,
    uint Seed,
    float Temperature,
    int Threads,
    int Context);

/// <summary>How a generation went. <see cref="StopReason"/> is <c>max_tokens</c> or <c>end_of_text</c>.</summary>
internal sealed record GenerationResult(
    string Text,
    int PromptTokens,
    int GeneratedTokens,
    int ContextTokens,
    TimeSpan Load,
    TimeSpan PromptEvaluation,
    TimeSpan Generation,
    string StopReason)
{
    /// <summary>Generated tokens per second of generation (prompt evaluation excluded).</summary>
    public double TokensPerSecond => Generation > TimeSpan.Zero ? GeneratedTokens / Generation.TotalSeconds : 0;
}

/// <summary>Thrown when llama.cpp refuses the model or the request (too long for the context, a failed decode).</summary>
internal sealed class GenerationException(string message, bool modelRefused) : Exception(message)
{
    public bool ModelRefused { get; } = modelRefused;
}

/// <summary>
/// Runs llama.cpp through LLamaSharp on the CPU: loads the weights, evaluates the prompt in batches, then samples one
/// token at a time and hands each piece of text to <c>onText</c> as soon as it is complete UTF-8.
/// </summary>
internal static class TextGenerator
{
    private const int MaxBatch = 512;

    public static GenerationResult Generate(GenerationRequest request, Action<string> onText)
    {
        var clock = Stopwatch.StartNew();
        var parameters = new ModelParams(request.ModelPath)
        {
            GpuLayerCount = 0,
            Threads = request.Threads,
            BatchThreads = request.Threads,
        };
        using var weights = Load(parameters);
        var prompt = weights.Tokenize(request.Prompt, true, false, Encoding.UTF8);
        var context = ContextSize(request, prompt.Length);
        parameters.ContextSize = (uint)context;
        parameters.BatchSize = (uint)Math.Min(context, MaxBatch);
        parameters.UBatchSize = parameters.BatchSize;
        using var llama = weights.CreateContext(parameters);
        var load = clock.Elapsed;

        var batch = new LLamaBatch();
        for (var start = 0; start < prompt.Length; start += MaxBatch)
        {
            batch.Clear();
            var end = Math.Min(prompt.Length, start + MaxBatch);
            for (var i = start; i < end; i++)
                batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
            Decode(llama, batch);
        }

        var promptEvaluation = clock.Elapsed - load;
        using var sampler = Sampler(request);
        var decoder = new StreamingTokenDecoder(llama);
        var text = new StringBuilder();
        var generated = 0;
        var stop = "max_tokens";
        while (generated < request.MaxTokens)
        {
            var token = sampler.Sample(llama.NativeHandle, batch.TokenCount - 1);
            if (token.IsEndOfGeneration(llama.Vocab))
            {
                stop = "end_of_text";
                break;
            }

            generated++;
            decoder.Add(token);
            var piece = decoder.Read();
            text.Append(piece);
            onText(piece);
            if (generated == request.MaxTokens)
                break;
            batch.Clear();
            batch.Add(token, prompt.Length + generated - 1, LLamaSeqId.Zero, true);
            Decode(llama, batch);
        }

        return new GenerationResult(
            text.ToString(), prompt.Length, generated, context, load, promptEvaluation,
            clock.Elapsed - load - promptEvaluation, stop);
    }

    private static LLamaWeights Load(ModelParams parameters)
    {
        try
        {
            return LLamaWeights.LoadFromFile(parameters);
        }
        catch (LLama.Exceptions.LoadWeightsFailedException)
        {
            throw new GenerationException("llama.cpp could not load the model (run with --verbose for its log)", modelRefused: true);
        }
    }

    private static int ContextSize(GenerationRequest request, int promptTokens)
    {
        var needed = (long)promptTokens + request.MaxTokens;
        var context = request.Context > 0 ? request.Context : needed;
        if (request.TrainedContext is { } trained && request.Context == 0)
            context = Math.Min(context, trained);
        if (needed > context)
        {
            throw new GenerationException(
                $"the prompt ({promptTokens} tokens) plus --max-tokens {request.MaxTokens} do not fit the context of " +
                $"{context} tokens: shorten the prompt, lower --max-tokens or raise --context", modelRefused: false);
        }

        return (int)context;
    }

    private static ISamplingPipeline Sampler(GenerationRequest request) =>
        request.Temperature == 0
            ? new GreedySamplingPipeline()
            : new DefaultSamplingPipeline
            {
                Temperature = request.Temperature,
                Seed = request.Seed,
                TopK = 40,
                TopP = 0.95f,
                MinP = 0.05f,
                RepeatPenalty = 1,
            };

    private static void Decode(LLamaContext llama, LLamaBatch batch)
    {
        var result = llama.Decode(batch);
        if (result != DecodeResult.Ok)
            throw new GenerationException($"llama.cpp failed to evaluate a batch: {result}", modelRefused: false);
    }
}
