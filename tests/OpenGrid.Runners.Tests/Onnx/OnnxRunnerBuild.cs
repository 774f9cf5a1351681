using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Onnx;

/// <summary>The built og-onnx runner (same configuration as the tests) and the decoder the image-gen example ships.</summary>
internal static class OnnxRunnerBuild
{
    /// <summary>The runner folder an operator would list in <c>$OPENGRID_RUNNERS</c>.</summary>
    public static string Directory { get; } = FindDirectory();

    public static string Dll => Path.Combine(Directory, "og-onnx.dll");

    /// <summary>examples/image-gen/decoder.onnx: the conditional VAE decoder trained by examples/image-gen-train.</summary>
    public static string ShippedDecoder { get; } = Path.Combine(TestPaths.RepoRoot, "examples", "image-gen", "decoder.onnx");

    /// <summary>Copies the shipped decoder into <paramref name="directory"/>.</summary>
    public static string CopyDecoder(string directory, string name = "decoder.onnx")
    {
        var path = Path.Combine(directory, name);
        File.Copy(ShippedDecoder, path, overwrite: true);
        return path;
    }

    private static string FindDirectory()
    {
        var directory = Path.Combine(
            TestPaths.RepoRoot, "artifacts", "bin", "OpenGrid.Runners.Onnx", TestPaths.Configuration + "_linux-x64");
        return File.Exists(Path.Combine(directory, "og-onnx"))
            ? directory
            : throw new FileNotFoundException(
                $"og-onnx is missing from {directory}: build src/OpenGrid.Runners.Onnx -c {TestPaths.Configuration} first");
    }
}
