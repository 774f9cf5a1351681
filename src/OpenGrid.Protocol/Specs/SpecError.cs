using OpenGrid.Core.Specs;

namespace OpenGrid.Protocol.Specs;

/// <summary>
/// One problem in a job spec: the file, the 1-based line and column of the offending node, the field path
/// (<c>resources.memory</c>, <c>inputs[2].path</c>; empty for problems with the text itself) and what would be valid.
/// </summary>
public sealed record SpecError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary><c>job.yaml:12:5: resources.memory: '2GB' is not a size; use …</c></summary>
    public override string ToString() =>
        Path.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Path}: {Message}";
}

/// <summary>The outcome of parsing a job spec: a valid <see cref="JobSpec"/> and no errors, or no spec and at least one error.</summary>
public sealed record SpecParseResult
{
    private SpecParseResult(JobSpec? spec, IReadOnlyList<SpecError> errors)
    {
        Spec = spec;
        Errors = errors;
    }

    public JobSpec? Spec { get; }

    /// <summary>Every error found, in document order; empty when the spec is valid.</summary>
    public IReadOnlyList<SpecError> Errors { get; }

    public bool IsValid => Spec is not null;

    internal static SpecParseResult Valid(JobSpec spec) => new(spec, []);

    internal static SpecParseResult Invalid(IReadOnlyList<SpecError> errors) =>
        errors.Count > 0 ? new(null, errors) : throw new ArgumentException("an invalid result needs an error", nameof(errors));
}
