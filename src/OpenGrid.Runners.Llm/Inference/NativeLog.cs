using LLama.Native;

namespace OpenGrid.Runners.Llm.Inference;

/// <summary>Routes llama.cpp's log: warnings and errors to stderr, everything with <c>--verbose</c>. Stdout carries
/// only generated text.</summary>
internal static class NativeLog
{
    /// <summary>Replaces the callback; may run again later (the last call wins).</summary>
    public static void Configure(TextWriter stderr, bool verbose)
    {
        var previous = LLamaLogLevel.None;
        NativeLogConfig.llama_log_set((level, message) =>
        {
            // Continue extends the previous message at that message's level.
            var effective = level == LLamaLogLevel.Continue ? previous : level;
            previous = effective;
            if (verbose || effective is LLamaLogLevel.Warning or LLamaLogLevel.Error)
                stderr.Write(message);
        });
    }
}
