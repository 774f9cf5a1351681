using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>Spec texts the parser tests start from, and helpers to edit them and to locate errors in them.</summary>
internal static class SpecTexts
{
    public const string FileName = "job.yaml";

    /// <summary>A CIDv1 (raw, sha2-256) of the empty file: valid syntax for any CID parser.</summary>
    public const string EmptyFileCid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    public const string Minimal = """
        apiVersion: opengrid/v1
        kind: Job
        name: demo
        runtime:
          kind: process
          command: [sh, run.sh]

        """;

    /// <summary>Every field set, none to its default.</summary>
    public const string Full = $$"""
        apiVersion: opengrid/v1
        kind: Job
        name: demo
        runtime:
          kind: process
          command: [sh, run.sh]
          args: [--verbose]
          env:
            GREETING: hello
        inputs:
          - path: run.sh
            from: ./run.sh
          - path: data/input.csv
            cid: {{EmptyFileCid}}
        outputs:
          - path: /out/result.txt
            compare: text
        resources:
          cpu: 500m
          memory: 128Mi
          disk: 64Mi
          gpu:
            count: 1
            model: rtx-4090
            memory: 16Gi
        limits:
          timeout: 1h30m
          processes: 64
        network:
          egress: none
        price:
          maxPerHour: "0.10"
          mode: streaming
        verify:
          replicas: 3
          quorum: 2
        requires: [posix-sh, "gpu:cuda"]
        placement:
          minReputation: 0.85
          region: eu-west
          maxStartDelay: 15m

        """;

    /// <summary>Flow style and strings that only survive a round trip when the writer quotes them.</summary>
    public const string Awkward = """
        apiVersion: opengrid/v1
        kind: Job
        name: x
        runtime: { kind: process, command: ["true", "null", "", "# not a comment", "it's \"quoted\"", "tab\there", "ünïcødé ✓"], args: ["- dash", "{brace}", "line\nbreak", "~"], env: { EMPTY: "", B: "yes", A: 1.50 } }
        inputs: [ { path: "a b/c.txt", from: "../shared/c.txt" } ]
        outputs: [ { path: /out }, { path: "x.bin", compare: exact } ]
        resources: { cpu: 1.5, memory: 1000000000, disk: 0 }
        limits: { timeout: 7d }
        price: { maxPerHour: 12 }
        verify: { replicas: 16 }

        """;

    public static SpecParseResult Parse(string yaml) => JobSpecParser.Parse(yaml, FileName);

    public static JobSpec ParseValid(string yaml)
    {
        var result = Parse(yaml);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        return Assert.IsType<JobSpec>(result.Spec);
    }

    /// <summary>Parses a spec that must be rejected with exactly one error, and returns it.</summary>
    public static SpecError SingleError(string yaml)
    {
        var result = Parse(yaml);
        Assert.Null(result.Spec);
        Assert.False(result.IsValid);
        Assert.True(result.Errors.Count == 1, "expected one error, got:\n" + string.Join("\n", result.Errors));
        return result.Errors[0];
    }

    /// <summary>Replaces exactly one occurrence of <paramref name="oldText"/>; a test that edits nothing would prove nothing.</summary>
    public static string With(this string yaml, string oldText, string newText)
    {
        var at = yaml.IndexOf(oldText, StringComparison.Ordinal);
        Assert.True(at >= 0 && yaml.IndexOf(oldText, at + 1, StringComparison.Ordinal) < 0, $"'{oldText}' must occur once in the spec");
        return string.Concat(yaml.AsSpan(0, at), newText, yaml.AsSpan(at + oldText.Length));
    }

    /// <summary>The 1-based line and column where the <paramref name="occurrence"/>-th <paramref name="marker"/> starts.</summary>
    public static (int Line, int Column) PositionOf(string yaml, string marker, int occurrence = 1)
    {
        var at = -1;
        for (var i = 0; i < occurrence; i++)
        {
            at = yaml.IndexOf(marker, at + 1, StringComparison.Ordinal);
            Assert.True(at >= 0, $"'{marker}' occurs fewer than {occurrence} times in the spec");
        }

        var lineStart = yaml.LastIndexOf('\n', Math.Max(at - 1, 0)) + 1;
        var line = yaml.AsSpan(0, at).Count('\n') + 1;
        return (line, at - lineStart + 1);
    }

    /// <summary>Asserts that the error points at the start of <paramref name="marker"/> and names <paramref name="path"/>.</summary>
    public static void AssertAt(SpecError error, string yaml, string marker, string path, int occurrence = 1)
    {
        var (line, column) = PositionOf(yaml, marker, occurrence);
        Assert.Equal(FileName, error.File);
        Assert.Equal(path, error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    /// <summary>The value part of a <c>key: value</c> line.</summary>
    public static string ValueOf(string keyAndValue) => keyAndValue[(keyAndValue.IndexOf(": ", StringComparison.Ordinal) + 2)..];

    /// <summary>Asserts that the error points at the value of the <paramref name="occurrence"/>-th <c>key: value</c> text in the spec.</summary>
    public static void AssertAtValueOf(SpecError error, string yaml, string keyAndValue, string path, int occurrence = 1)
    {
        var (line, column) = PositionOf(yaml, keyAndValue, occurrence);
        Assert.Equal(FileName, error.File);
        Assert.Equal(path, error.Path);
        Assert.Equal((line, column + keyAndValue.Length - ValueOf(keyAndValue).Length), (error.Line, error.Column));
    }
}
