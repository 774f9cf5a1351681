using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Trust;

/// <summary>
/// The kind of work a job is, for canaries and streaks: <c>cpu</c> or <c>gpu</c> (whether it asks for a GPU), then its
/// <c>requires</c> sorted and de-duplicated, joined by <c>+</c>, e.g. <c>cpu</c>, <c>cpu+blender</c>,
/// <c>gpu+python3-torch</c>. Stable across spec order and readable in logs.
/// </summary>
public readonly record struct JobClass(string Value)
{
    public static JobClass Of(JobSpec spec)
    {
        var processor = spec.Resources.Gpu.Count > 0 ? "gpu" : "cpu";
        var requires = spec.Requires.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new JobClass(string.Join('+', requires.Prepend(processor)));
    }

    public override string ToString() => Value;
}
