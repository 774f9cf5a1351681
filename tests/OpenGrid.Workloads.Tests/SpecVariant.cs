using OpenGrid.Testing;

namespace OpenGrid.Workloads.Tests;

/// <summary>
/// An example's job.yaml with a few edits (smaller parameters for a test), written to a temp folder with its local
/// inputs pointing back at the example's files, so the test runs the example's own scripts.
/// </summary>
internal static class SpecVariant
{
    public static string Write(TempDir dir, string example, string fileName, params (string Old, string New)[] edits)
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "examples", example);
        var text = File.ReadAllText(Path.Combine(folder, "job.yaml"));
        foreach (var (old, replacement) in edits.Prepend(("from: ./", $"from: {folder}/")))
        {
            Assert.True(text.Contains(old, StringComparison.Ordinal), $"examples/{example}/job.yaml no longer contains '{old}'; update the test");
            text = text.Replace(old, replacement, StringComparison.Ordinal);
        }

        var path = dir.Combine(fileName);
        File.WriteAllText(path, text);
        return path;
    }
}
