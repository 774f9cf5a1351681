using OpenGrid.Core.Content;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// Each accepted output against the downloaded file at <c>outputsDir/&lt;path&gt;</c>: it is a regular file inside the
/// folder (no absolute path, no <c>..</c>, no symbolic link), has the listed size, and hashes (UnixFS, as the content
/// store does) to the listed CID.
/// </summary>
internal static class OutputFileChecks
{
    public static async Task RunAsync(IReadOnlyList<OutputFileView> outputs, string outputsDir, List<ProofCheck> checks, CancellationToken ct)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputsDir));
        foreach (var output in outputs)
            checks.Add(await CheckAsync(output, root, ct).ConfigureAwait(false));
    }

    private static async Task<ProofCheck> CheckAsync(OutputFileView output, string root, CancellationToken ct)
    {
        var name = $"output {output.Path}";
        if (!Cid.TryParse(output.Cid, out var expected))
            return ProofCheck.Fail(name, $"the pack lists an invalid CID '{output.Cid}'");
        var file = Resolve(root, output.Path);
        if (file is null)
            return ProofCheck.Fail(name, "the path is absolute, has empty, '.' or '..' segments, or leaves the folder");
        var info = new FileInfo(file);
        if (!info.Exists || info.LinkTarget is not null)
            return ProofCheck.Fail(name, $"{file} is missing or not a regular file");
        if (info.Length != output.Size)
            return ProofCheck.Fail(name, $"{info.Length} bytes, the pack lists {output.Size}");
        Cid actual;
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            actual = await UnixFsCidBuilder.ComputeAsync(stream, ct).ConfigureAwait(false);
        return actual == expected
            ? ProofCheck.Pass(name, $"{output.Size} bytes, {expected}")
            : ProofCheck.Fail(name, $"the file hashes to {actual}, not {expected}");
    }

    private static string? Resolve(string root, string path)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\0') || path.Contains('\\') || Path.IsPathRooted(path))
            return null;
        var segments = path.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
            return null;
        var full = Path.GetFullPath(Path.Combine([root, .. segments]));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return null;
        // A symbolic link among the folders on the way would point the check at a file elsewhere.
        var dir = root;
        foreach (var segment in segments[..^1])
        {
            dir = Path.Combine(dir, segment);
            if (new DirectoryInfo(dir).LinkTarget is not null)
                return null;
        }
        return full;
    }
}
