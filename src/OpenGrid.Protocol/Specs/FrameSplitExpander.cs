using System.Globalization;
using OpenGrid.Core.Specs;

namespace OpenGrid.Protocol.Specs;

/// <summary>One job of a split: its frame, its spec (no split, <c>FRAME</c> set) and that spec as canonical YAML.</summary>
public sealed record FrameJob(int Frame, JobSpec Spec, string Yaml);

/// <summary>
/// Expands a spec with <c>split: { frames: … }</c> into one spec per frame: the same job with
/// <c>runtime.env.FRAME</c> set to the frame and the name suffixed <c>-f&lt;frame&gt;</c> (the base shortened so the
/// whole stays a valid name). Each is written with <see cref="JobSpecWriter"/>, which the coordinator parses back as
/// an ordinary job. A spec without a split gives itself, once.
/// </summary>
public static class FrameSplitExpander
{
    public static IReadOnlyList<FrameJob> Expand(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Split is not { } split)
            return [new FrameJob(0, spec, JobSpecWriter.ToYaml(spec))];

        var jobs = new List<FrameJob>(split.Frames.Count);
        foreach (var frame in split.Frames)
        {
            var number = frame.ToString(CultureInfo.InvariantCulture);
            var env = new Dictionary<string, string>(spec.Runtime.Env, StringComparer.Ordinal) { [FrameSplit.FrameVariable] = number };
            var one = spec with
            {
                Name = FrameName(spec.Name, number),
                Runtime = spec.Runtime with { Env = env },
                Split = null,
            };
            jobs.Add(new FrameJob(frame, one, JobSpecWriter.ToYaml(one)));
        }

        return jobs;
    }

    private static string FrameName(string name, string frame)
    {
        var suffix = "-f" + frame;
        var room = JobSpecLimits.MaxNameLength - suffix.Length;
        return (name.Length <= room ? name : name[..room].TrimEnd('-')) + suffix;
    }
}
