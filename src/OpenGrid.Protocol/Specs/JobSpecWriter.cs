using System.Globalization;
using System.Text;
using OpenGrid.Core.Specs;

namespace OpenGrid.Protocol.Specs;

/// <summary>
/// Writes a <see cref="JobSpec"/> as canonical v1 YAML: every field present (defaults written out), fixed field
/// order, environment sorted by name, user strings double-quoted. <see cref="JobSpecParser.Parse"/> reads it back
/// to an equal spec, and writing that again gives the same text.
/// </summary>
public static class JobSpecWriter
{
    private const string Indent = "  ";
    private const string ItemIndent = "  - ";
    private const string ItemFieldIndent = "    ";

    public static string ToYaml(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var y = new StringBuilder();
        WriteHeaderAndRuntime(y, spec);
        WriteInputs(y, spec.Inputs);
        WriteOutputs(y, spec.Outputs);
        WriteResourcesLimitsNetwork(y, spec);

        y.Append("price:\n");
        Line(y, Indent, "maxPerHour", Quote(spec.Price.MaxPerHour.ToString()));
        Line(y, Indent, "mode", spec.Price.Mode);

        y.Append("verify:\n");
        Line(y, Indent, "replicas", Number(spec.Verify.Replicas));
        Line(y, Indent, "quorum", Number(spec.Verify.Quorum));
        if (!spec.Verify.Adaptive)
            Line(y, Indent, "adaptive", "false");
        if (spec.Verify.DonateAsCanary)
            Line(y, Indent, "donateAsCanary", "true");

        Line(y, "", "requires", FlowList(spec.Requires));

        y.Append("placement:\n");
        Line(y, Indent, "minReputation", spec.Placement.MinReputation.ToString("0.###", CultureInfo.InvariantCulture));
        if (spec.Placement.Region is { } region)
            Line(y, Indent, "region", Quote(region));
        if (spec.Placement.MaxStartDelay is { } maxStartDelay)
            Line(y, Indent, "maxStartDelay", Quantities.FormatDuration(maxStartDelay));
        if (spec.Split is { } split)
        {
            y.Append("split:\n");
            Line(y, Indent, "frames", Quote(split.Format()));
        }

        return y.ToString();
    }

    /// <summary>
    /// The provider view of <paramref name="spec"/>: only what the sandbox needs — name, runtime, resources, limits and
    /// network — in the same canonical form. Inputs travel beside it (resolved to CIDs), and everything that only the
    /// coordinator uses (inputs' local paths, outputs and their comparators, price, verify, requires, placement,
    /// split) is left out, so a provider cannot tell a verified job, a replica or a canary from any other job by its
    /// text. <see cref="ProviderSpec"/> names it; receipts hash it.
    /// </summary>
    public static string ToProviderYaml(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var y = new StringBuilder();
        WriteHeaderAndRuntime(y, spec);
        WriteResourcesLimitsNetwork(y, spec);
        return y.ToString();
    }

    private static void WriteHeaderAndRuntime(StringBuilder y, JobSpec spec)
    {
        Line(y, "", "apiVersion", JobSpec.ApiVersionV1);
        Line(y, "", "kind", JobSpecParser.KindJob);
        Line(y, "", "name", Quote(spec.Name));

        y.Append("runtime:\n");
        Line(y, Indent, "kind", JobSpecParser.RuntimeProcess);
        Line(y, Indent, "command", FlowList(spec.Runtime.Command));
        Line(y, Indent, "args", FlowList(spec.Runtime.Args));
        if (spec.Runtime.Env.Count == 0)
        {
            Line(y, Indent, "env", "{}");
        }
        else
        {
            y.Append(Indent).Append("env:\n");
            foreach (var (name, value) in spec.Runtime.Env.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                Line(y, Indent + Indent, name, Quote(value));
        }
    }

    private static void WriteResourcesLimitsNetwork(StringBuilder y, JobSpec spec)
    {
        var resources = spec.Resources;
        y.Append("resources:\n");
        Line(y, Indent, "cpu", Quantities.FormatCpu(resources.CpuMillis));
        Line(y, Indent, "memory", Quantities.FormatBytes(resources.MemoryBytes));
        Line(y, Indent, "disk", Quantities.FormatBytes(resources.DiskBytes));
        y.Append(Indent).Append("gpu:\n");
        Line(y, Indent + Indent, "count", Number(resources.Gpu.Count));
        if (resources.Gpu.Model is { } model)
            Line(y, Indent + Indent, "model", Quote(model));
        if (resources.Gpu.MemoryBytes > 0)
            Line(y, Indent + Indent, "memory", Quantities.FormatBytes(resources.Gpu.MemoryBytes));

        y.Append("limits:\n");
        Line(y, Indent, "timeout", Quantities.FormatDuration(spec.Limits.Timeout));
        Line(y, Indent, "processes", Number(spec.Limits.Processes));

        y.Append("network:\n");
        Line(y, Indent, "egress", spec.Network.Egress);
    }

    private static void WriteInputs(StringBuilder y, IReadOnlyList<InputSpec> inputs)
    {
        if (inputs.Count == 0)
        {
            Line(y, "", "inputs", "[]");
            return;
        }

        y.Append("inputs:\n");
        foreach (var input in inputs)
        {
            Line(y, ItemIndent, "path", Quote(input.Path));
            if (input.From is { } from)
                Line(y, ItemFieldIndent, "from", Quote(from));
            if (input.Cid is { } cid)
                Line(y, ItemFieldIndent, "cid", Quote(cid.ToString()));
        }
    }

    private static void WriteOutputs(StringBuilder y, IReadOnlyList<OutputSpec> outputs)
    {
        if (outputs.Count == 0)
        {
            Line(y, "", "outputs", "[]");
            return;
        }

        y.Append("outputs:\n");
        foreach (var output in outputs)
        {
            Line(y, ItemIndent, "path", Quote(output.Path));
            Line(y, ItemFieldIndent, "compare", output.Compare.ToString().ToLowerInvariant());
        }
    }

    private static void Line(StringBuilder y, string indent, string key, string value) =>
        y.Append(indent).Append(key).Append(": ").Append(value).Append('\n');

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string FlowList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";

    /// <summary>A YAML double-quoted scalar; anything that is not plain printable text is escaped.</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder("\"");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"' || c == '\\')
                quoted.Append('\\').Append(c);
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                quoted.Append(c).Append(text[++i]);
            else if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\uFEFF')
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else
                quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
