using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests;

/// <summary>The built og-llm runner (same configuration as the tests) and the tiny model it is tested with.</summary>
internal static class RunnerBuild
{
    /// <summary>The runner folder an operator would list in <c>$OPENGRID_RUNNERS</c>.</summary>
    public static string LlmDirectory { get; } = FindLlmDirectory();

    public static string LlmExecutable => Path.Combine(LlmDirectory, "og-llm");

    /// <summary>Writes the alphabet model (<see cref="TinyLlama"/>) into <paramref name="directory"/>.</summary>
    public static string WriteTinyModel(string directory, string name = "model.gguf")
    {
        var path = Path.Combine(directory, name);
        TinyLlama.WriteAlphabetModel(path);
        return path;
    }

    private static string FindLlmDirectory()
    {
        var directory = Path.Combine(
            TestPaths.RepoRoot, "artifacts", "bin", "OpenGrid.Runners.Llm", TestPaths.Configuration + "_linux-x64");
        return File.Exists(Path.Combine(directory, "og-llm"))
            ? directory
            : throw new FileNotFoundException(
                $"og-llm is missing from {directory}: build src/OpenGrid.Runners.Llm -c {TestPaths.Configuration} first");
    }
}
