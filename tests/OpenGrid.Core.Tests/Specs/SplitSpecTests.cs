using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;
using static OpenGrid.Core.Tests.Specs.SpecTexts;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>The optional <c>split: { frames: … }</c> block and its expansion into one job per frame.</summary>
public class SplitSpecTests
{
    [Theory]
    [InlineData("\"1-8\"", new[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData("5", new[] { 5 })]
    [InlineData("\"0,2,10-12\"", new[] { 0, 2, 10, 11, 12 })]
    [InlineData("\"3-3\"", new[] { 3 })]
    public void Frames_parse_into_an_ascending_list(string written, int[] frames)
    {
        var spec = ParseValid(Minimal + $"split: {{ frames: {written} }}\n");

        Assert.Equal(frames, spec.Split!.Frames);
    }

    [Fact]
    public void A_spec_without_split_has_none()
    {
        Assert.Null(ParseValid(Minimal).Split);
    }

    [Theory]
    [InlineData("\"8-1\"", "runs backwards; write it as 1-8")]
    [InlineData("\"1-3,2\"", "frame 2 comes after 3")]
    [InlineData("\"1,1\"", "frame 1 comes after 1")]
    [InlineData("\"a-b\"", "is not a frame list")]
    [InlineData("\"1-\"", "is not a frame list")]
    [InlineData("\"-1\"", "is not a frame list")]
    [InlineData("\" 1-2\"", "is not a frame list")]
    [InlineData("\"1,,2\"", "is not a frame list")]
    [InlineData("\"1-1001\"", "more than 1000 frames")]
    [InlineData("\"1-600,700-1100\"", "more than 1000 frames")]
    [InlineData("\"1048575\"", "out of range; valid: 0 to 1048574")]
    [InlineData("\"99999999999\"", "is not a frame list")]
    public void Bad_frames_are_one_error_at_the_value(string written, string message)
    {
        var yaml = Minimal + $"split:\n  frames: {written}\n";

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, $"frames: {written}", "split.frames");
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Split_needs_frames_and_takes_no_other_field()
    {
        var missing = SingleError(Minimal + "split: {}\n");
        Assert.Equal(("split.frames", "missing required field 'frames'"), (missing.Path, missing.Message.Split(';')[0]));

        var unknown = SingleError(Minimal + "split: { frames: \"1-2\", tiles: 4 }\n");
        Assert.Equal("split.tiles", unknown.Path);
    }

    [Fact]
    public void A_spec_that_sets_frame_itself_cannot_also_split()
    {
        var yaml = Minimal.With("  command: [sh, run.sh]\n", "  command: [sh, run.sh]\n  env: { FRAME: \"3\" }\n") + "split: { frames: \"1-2\" }\n";

        var error = SingleError(yaml);

        Assert.Equal("split.frames", error.Path);
        Assert.Contains("runtime.env sets FRAME", error.Message);
    }

    [Fact]
    public void A_split_round_trips_through_the_writer_in_canonical_form()
    {
        var parsed = ParseValid(Minimal + "split: { frames: \"1,2,3,7,9-10\" }\n");

        var written = JobSpecWriter.ToYaml(parsed);

        Assert.EndsWith("split:\n  frames: \"1-3,7,9-10\"\n", written);
        Assert.Equal(parsed.Split!.Frames, ParseValid(written).Split!.Frames);
    }

    [Fact]
    public void Expanding_gives_one_plain_job_per_frame_with_frame_set_and_the_rest_unchanged()
    {
        var yaml = Minimal.With("  command: [sh, run.sh]\n", "  command: [sh, run.sh]\n  env: { SAMPLES: \"32\" }\n") + "split: { frames: \"4-5\" }\n";
        var spec = ParseValid(yaml);

        var jobs = FrameSplitExpander.Expand(spec);

        Assert.Equal([4, 5], jobs.Select(j => j.Frame));
        foreach (var job in jobs)
        {
            var reparsed = ParseValid(job.Yaml);
            Assert.Null(reparsed.Split);
            Assert.Equal($"demo-f{job.Frame}", reparsed.Name);
            Assert.Equal(new Dictionary<string, string> { ["FRAME"] = job.Frame.ToString(System.Globalization.CultureInfo.InvariantCulture), ["SAMPLES"] = "32" },
                reparsed.Runtime.Env.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary());
            Assert.Equal(spec.Runtime.Command, reparsed.Runtime.Command);
            Assert.Equal(spec.Resources, reparsed.Resources);
        }
    }

    [Fact]
    public void A_long_name_is_shortened_so_each_frame_name_stays_valid()
    {
        var name = new string('a', 62) + "b";
        var spec = ParseValid(Minimal.With("name: demo", "name: " + name) + "split: { frames: \"1000\" }\n");

        var job = Assert.Single(FrameSplitExpander.Expand(spec));

        Assert.Equal(new string('a', 57) + "-f1000", job.Spec.Name);
        ParseValid(job.Yaml);
    }

    [Fact]
    public void A_spec_without_split_expands_to_itself()
    {
        var spec = ParseValid(Minimal);

        var job = Assert.Single(FrameSplitExpander.Expand(spec));

        Assert.Same(spec, job.Spec);
    }
}
