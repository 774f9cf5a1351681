using OpenGrid.Core.Specs;

namespace OpenGrid.Verification;

/// <summary>
/// Whether two replicas' results agree, output by output, as the job spec declares. A pure function: the coordinator
/// loads each result's files (keyed by path relative to <c>/out</c>, with <c>/</c> separators, as the agent uploads
/// them) and passes the bytes.
/// </summary>
public static class ReplicaAgreement
{
    /// <summary>
    /// Compares every file a declared output covers, in ordinal path order, and returns the first disagreement.
    /// A declaration covers the file at its path and every file under it (<c>.</c> covers all); a file covered by
    /// several uses the most specific (longest) one. A covered file present in one result only is a disagreement;
    /// files no declaration covers are not compared (they are not declared outputs).
    /// </summary>
    public static Comparison Compare(
        IReadOnlyList<OutputSpec> outputs,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> a,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> b,
        ComparatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(options);
        var compared = 0;
        foreach (var path in a.Keys.Union(b.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (Declaration(outputs, path) is not { } declared)
            {
                continue;
            }

            if (!a.TryGetValue(path, out var bytesA) || !b.TryGetValue(path, out var bytesB))
            {
                return new Comparison(false, $"{path}: only in {(a.ContainsKey(path) ? "a" : "b")}");
            }

            var comparison = Comparators.For(declared.Compare).Compare(path, bytesA.Span, bytesB.Span, options);
            if (!comparison.Agree)
            {
                return comparison;
            }

            compared++;
        }

        return new Comparison(true, compared == 1 ? "1 declared file agrees" : $"{compared} declared files agree");
    }

    /// <summary>The most specific declared output covering <paramref name="path"/>, or null.</summary>
    private static OutputSpec? Declaration(IReadOnlyList<OutputSpec> outputs, string path) =>
        outputs
            .Where(o => o.Path == "." || o.Path == path || path.StartsWith(o.Path + "/", StringComparison.Ordinal))
            .MaxBy(o => o.Path == "." ? 0 : o.Path.Length);
}
