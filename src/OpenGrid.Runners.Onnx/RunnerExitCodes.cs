namespace OpenGrid.Runners.Onnx;

/// <summary>og-onnx's exit statuses (also listed in its usage text and docs/runners.md); the same meanings as
/// og-llm's.</summary>
internal static class RunnerExitCodes
{
    public const int Ok = 0;

    /// <summary>ONNX Runtime failed while decoding, or an output could not be written.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line, or a prompt that names no class of the model.</summary>
    public const int Usage = 2;

    /// <summary>The model file is not an image decoder this runner accepts, or ONNX Runtime refused to load it.</summary>
    public const int ModelRefused = 3;
}
