using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace OpenGrid.Runners.Onnx.Model;

/// <summary>
/// The shape of model og-onnx runs, read from the model's declared inputs and outputs: input <c>latent</c>
/// [N, <see cref="LatentSize"/>] float32, input <c>label</c> [N, <see cref="Classes"/>] float32 (one-hot), output
/// <c>image</c> [N, 1, <see cref="Height"/>, <see cref="Width"/>] float32 in 0..1, N dynamic.
/// </summary>
internal sealed record DecoderSignature(int LatentSize, int Classes, int Height, int Width)
{
    public const string LatentInput = "latent";
    public const string LabelInput = "label";
    public const string ImageOutput = "image";

    /// <summary>Largest latent vector and label count accepted; beyond them a model is not a small decoder.</summary>
    public const int MaxLatentSize = 4096, MaxClasses = 10_000;

    /// <summary>Largest image side the model may produce, before scaling.</summary>
    public const int MaxSide = 1024;

    /// <summary>The signature, or <see cref="ModelRefusedException"/> naming the first thing that does not fit (the
    /// message completes "… is not an image decoder og-onnx can run: ").</summary>
    public static DecoderSignature Read(
        IReadOnlyDictionary<string, NodeMetadata> inputs, IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        var names = string.Join(", ", inputs.Keys.Order(StringComparer.Ordinal));
        if (inputs.Count != 2 || !inputs.ContainsKey(LatentInput) || !inputs.ContainsKey(LabelInput))
            throw Refused($"its inputs are [{names}], expected exactly '{LatentInput}' and '{LabelInput}'");
        if (!outputs.TryGetValue(ImageOutput, out var image))
            throw Refused($"it has no output '{ImageOutput}' (outputs: {string.Join(", ", outputs.Keys)})");

        var latent = Dimensions(LatentInput, inputs[LatentInput], "[N, d]");
        var label = Dimensions(LabelInput, inputs[LabelInput], "[N, classes]");
        var pixels = Dimensions(ImageOutput, image, "[N, 1, height, width]");
        if (pixels[1] != 1)
            throw Refused($"output '{ImageOutput}' has {pixels[1]} channels, expected 1 (grey)");
        return new DecoderSignature(
            Bounded(LatentInput, latent[1], MaxLatentSize), Bounded(LabelInput, label[1], MaxClasses),
            Bounded(ImageOutput, pixels[2], MaxSide), Bounded(ImageOutput, pixels[3], MaxSide));
    }

    private static int[] Dimensions(string name, NodeMetadata node, string expected)
    {
        var rank = expected.Count(c => c == ',') + 1;
        if (node.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || node.ElementDataType != TensorElementType.Float)
            throw Refused($"'{name}' is a {node.OnnxValueType} of {node.ElementDataType}, expected a float32 tensor {expected}");
        var dims = node.Dimensions;
        if (dims.Length != rank)
            throw Refused($"'{name}' has shape {Describe(dims)}, expected {expected}");
        if (dims[0] > 0)
            throw Refused($"'{name}' has a fixed batch size of {dims[0]}; export it with a dynamic first dimension");
        return dims;
    }

    private static int Bounded(string name, int value, int max) =>
        value is > 0 && value <= max
            ? value
            : throw Refused($"'{name}' has a dimension of {(value > 0 ? value.ToString() : "unknown size")}, expected a fixed size from 1 to {max}");

    private static string Describe(int[] dims) => "[" + string.Join(", ", dims.Select(d => d > 0 ? d.ToString() : "?")) + "]";

    private static ModelRefusedException Refused(string why) => new(why);
}
