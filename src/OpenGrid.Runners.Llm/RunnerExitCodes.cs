namespace OpenGrid.Runners.Llm;

/// <summary>og-llm's exit statuses (also listed in its usage text and docs/runners.md).</summary>
internal static class RunnerExitCodes
{
    public const int Ok = 0;

    /// <summary>llama.cpp failed while generating, or an output could not be written.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line, or the prompt file is missing.</summary>
    public const int Usage = 2;

    /// <summary>The model file is not a GGUF this runner accepts, or llama.cpp refused to load it.</summary>
    public const int ModelRefused = 3;
}
