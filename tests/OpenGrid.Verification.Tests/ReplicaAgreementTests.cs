using OpenGrid.Core.Specs;
using static OpenGrid.Verification.Tests.Bytes;
using static OpenGrid.Verification.Tests.Fixtures;

namespace OpenGrid.Verification.Tests;

/// <summary>Two replicas' whole results, compared output by output as the spec declares.</summary>
public class ReplicaAgreementTests
{
    /// <summary>A render job: frames compared as images, metrics with tolerance, everything else exactly.</summary>
    private static readonly OutputSpec[] RenderOutputs =
    [
        new(".", CompareMode.Exact),
        new("frames", CompareMode.Image),
        new("metrics.json", CompareMode.Tolerance),
    ];

    private static Dictionary<string, ReadOnlyMemory<byte>> Result(params (string Path, byte[] Bytes)[] files) =>
        files.ToDictionary(f => f.Path, f => new ReadOnlyMemory<byte>(f.Bytes), StringComparer.Ordinal);

    private static Dictionary<string, ReadOnlyMemory<byte>> Replica(byte[] frame, string seconds, string log = "done\n") => Result(
        ("frames/0001.png", frame),
        ("metrics.json", Utf8($$"""{"samples": 32, "seconds": {{seconds}}}""")),
        ("log.txt", Utf8(log)));

    private static Comparison Compare(
        IReadOnlyList<OutputSpec> outputs, Dictionary<string, ReadOnlyMemory<byte>> a, Dictionary<string, ReadOnlyMemory<byte>> b) =>
        ReplicaAgreement.Compare(outputs, a, b, ComparatorOptions.Default);

    [Fact]
    public void Replicas_agree_when_every_declared_file_agrees_by_its_own_mode()
    {
        var comparison = Compare(RenderOutputs, Replica(SpheresSeed1, "1.5"), Replica(SpheresSeed2, "1.5000000001"));

        Assert.Equal(new Comparison(true, "3 declared files agree"), comparison);
    }

    [Fact]
    public void A_file_under_a_declared_directory_uses_that_declaration()
    {
        var comparison = Compare(RenderOutputs, Replica(SpheresSeed1, "1.5"), Replica(MonkeySeed1, "1.5"));

        Assert.Equal(new Comparison(false, "frames/0001.png: similarity 0.5501 < 0.94 (mean SSIM)"), comparison);
    }

    [Fact]
    public void Other_files_fall_under_the_whole_directory_declaration()
    {
        var comparison = Compare(RenderOutputs, Replica(SpheresSeed1, "1.5"), Replica(SpheresSeed1, "1.5", log: "done!\n"));

        Assert.Equal(new Comparison(false, "log.txt: bytes differ at offset 4 (sizes 5 vs 6)"), comparison);
    }

    [Fact]
    public void A_file_in_one_result_only_disagrees()
    {
        var a = Replica(SpheresSeed1, "1.5");
        var b = Replica(SpheresSeed2, "1.5");
        b["frames/0002.png"] = SpheresSeed2;

        Assert.Equal(new Comparison(false, "frames/0002.png: only in b"), Compare(RenderOutputs, a, b));
        Assert.Equal(new Comparison(false, "frames/0002.png: only in a"), Compare(RenderOutputs, b, a));
    }

    [Fact]
    public void Files_no_declaration_covers_are_not_compared()
    {
        OutputSpec[] outputs = [new("frames", CompareMode.Image)];
        var a = Result(("frames/0001.png", SpheresSeed1), ("frames2/notes.txt", Utf8("a")), ("extra.txt", Utf8("x")));
        var b = Result(("frames/0001.png", SpheresSeed2), ("frames2/notes.txt", Utf8("b")));

        Assert.Equal(new Comparison(true, "1 declared file agrees"), Compare(outputs, a, b));
    }

    [Fact]
    public void The_first_disagreement_in_path_order_is_reported()
    {
        var a = Replica(SpheresSeed1, "1.5");
        var b = Replica(MonkeySeed1, "2.5", log: "other\n");

        Assert.StartsWith("frames/0001.png: ", Compare(RenderOutputs, a, b).Detail);
    }
}
