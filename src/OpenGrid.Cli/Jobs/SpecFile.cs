using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Cli.Jobs;

/// <summary>An input the spec takes from a local file (<c>from:</c>), resolved against the spec's folder.</summary>
internal sealed record LocalInput(string InputPath, string From, string FullPath, long Size);

/// <summary>A job spec file read from disk and validated with the same parser the coordinator uses.</summary>
internal sealed record SpecFile(string DisplayPath, string FullPath, string Text, JobSpec Spec)
{
    // Far above JobSpecLimits.MaxTextBytes, so the parser still reports an oversized spec with its own message,
    // while og never reads an arbitrarily large file into memory.
    private const long MaxReadBytes = 1L << 20;

    /// <summary>
    /// Reads and validates <paramref name="path"/>. Throws <see cref="SpecInvalidException"/> with every spec error,
    /// or <see cref="CliException"/> when the file cannot be read.
    /// </summary>
    public static SpecFile Load(CliEnvironment env, string path)
    {
        var full = env.FullPath(path);
        if (!File.Exists(full))
            throw CliException.InvalidInput(Directory.Exists(full) ? $"{path} is a folder, not a job spec file" : $"{path}: no such file");
        var length = new FileInfo(full).Length;
        if (length > MaxReadBytes)
            throw CliException.InvalidInput($"{path} is {length} bytes; a job spec may be at most {JobSpecLimits.MaxTextBytes} bytes");
        var text = File.ReadAllText(full);
        var result = JobSpecParser.Parse(text, path);
        if (result.Spec is not { } spec)
            throw new SpecInvalidException(path, result.Errors);
        return new SpecFile(path, full, text, spec);
    }

    /// <summary>
    /// The inputs taken from local files, each checked to exist. Throws <see cref="CliException"/> (exit 2) with one
    /// line per missing file, naming the input and the path.
    /// </summary>
    public IReadOnlyList<LocalInput> LocalInputs()
    {
        var folder = Path.GetDirectoryName(FullPath)!;
        var inputs = new List<LocalInput>();
        var missing = new List<string>();
        foreach (var input in Spec.Inputs)
        {
            if (input.From is not { } from)
                continue;
            var full = Path.GetFullPath(from, folder);
            if (File.Exists(full))
                inputs.Add(new LocalInput(input.Path, from, full, new FileInfo(full).Length));
            else
                missing.Add(Directory.Exists(full)
                    ? $"og: input {input.Path}: {full} is a folder; `from:` must name a file"
                    : $"og: input {input.Path}: no such file: {full}");
        }
        if (missing.Count > 0)
            throw new CliException(missing[0], ExitCodes.InvalidInput, missing);
        return inputs;
    }
}

/// <summary>A spec with errors: og prints each as <c>file:line:col: path: message</c> and exits 2.</summary>
internal sealed class SpecInvalidException(string path, IReadOnlyList<SpecError> errors)
    : Exception($"{path} is not a valid job spec")
{
    public IReadOnlyList<SpecError> Errors => errors;
}
