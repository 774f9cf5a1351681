using Microsoft.ML.OnnxRuntime;

namespace OpenGrid.Runners.Onnx.Model;

/// <summary>
/// A conditional image decoder loaded in ONNX Runtime (CPU): latent vectors and a class in, grey images out. Load
/// turns every way a file can fail to be such a model (ONNX Runtime's own load errors included) into
/// <see cref="ModelRefusedException"/> with one line.
/// </summary>
internal sealed class DecoderModel : IDisposable
{
    /// <summary>Images per <c>Run</c>: bounds the tensors held at once.</summary>
    private const int BatchSize = 64;

    private readonly InferenceSession session;

    private DecoderModel(InferenceSession session, DecoderSignature signature, LabelSet labels)
    {
        this.session = session;
        Signature = signature;
        Labels = labels;
    }

    public DecoderSignature Signature { get; }

    public LabelSet Labels { get; }

    /// <summary>Loads and checks the model; call <see cref="ModelFile.Check"/> first.</summary>
    public static DecoderModel Load(string path, int threads)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // Busy-waiting threads steal the CPU a shared provider gave other jobs.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelRefusedException($"{path} is not a usable ONNX model: {OnnxErrors.OneLine(e.Message, path)}", e);
        }

        try
        {
            var signature = DecoderSignature.Read(session.InputMetadata, session.OutputMetadata);
            return new DecoderModel(session, signature, LabelSet.From(signature.Classes, session.ModelMetadata.CustomMetadataMap));
        }
        catch (ModelRefusedException e)
        {
            session.Dispose();
            throw new ModelRefusedException($"{path} is not an image decoder og-onnx can run: {e.Message}", e);
        }
    }

    /// <summary>Decodes <paramref name="latents"/> (row-major, <see cref="DecoderSignature.LatentSize"/> each) as
    /// class <paramref name="label"/>; calls <paramref name="onImage"/> with each image's pixels (height × width,
    /// row-major, as the model computed them) in order.</summary>
    public void Decode(float[] latents, int label, Action<int, ReadOnlySpan<float>> onImage)
    {
        var (d, classes, pixels) = (Signature.LatentSize, Signature.Classes, Signature.Height * Signature.Width);
        var count = latents.Length / d;
        for (var first = 0; first < count; first += BatchSize)
        {
            var n = Math.Min(BatchSize, count - first);
            var oneHot = new float[n * classes];
            for (var i = 0; i < n; i++)
                oneHot[i * classes + label] = 1f;

            using var latentValue = OrtValue.CreateTensorValueFromMemory(latents[(first * d)..((first + n) * d)], [n, d]);
            using var labelValue = OrtValue.CreateTensorValueFromMemory(oneHot, [n, classes]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(
                runOptions,
                [DecoderSignature.LatentInput, DecoderSignature.LabelInput], [latentValue, labelValue],
                [DecoderSignature.ImageOutput]);
            var image = outputs[0];
            long[] expected = [n, 1, Signature.Height, Signature.Width];
            var shape = image.GetTensorTypeAndShape().Shape;
            if (!shape.SequenceEqual(expected))
                throw new ModelRefusedException(
                    $"the model's output '{DecoderSignature.ImageOutput}' is [{string.Join(", ", shape)}], it declared [{string.Join(", ", expected)}]");
            var values = image.GetTensorDataAsSpan<float>();
            for (var i = 0; i < n; i++)
                onImage(first + i, values.Slice(i * pixels, pixels));
        }
    }

    public void Dispose() => session.Dispose();
}
