namespace OpenGrid.Runners.Onnx.Model;

/// <summary>
/// The classes a decoder is conditioned on, named by the model's metadata entry <see cref="MetadataKey"/>
/// (comma-separated, in label order), so a prompt can say <c>sneaker</c> rather than <c>7</c>. Without the entry the
/// classes are known by index only.
/// </summary>
internal sealed class LabelSet
{
    /// <summary>The metadata key (ONNX <c>metadata_props</c>) holding the class names.</summary>
    public const string MetadataKey = "opengrid.labels";

    private const int MaxNameLength = 64;

    private readonly string[] names;

    private LabelSet(int count, string[] names)
    {
        Count = count;
        this.names = names;
    }

    public int Count { get; }

    /// <summary>The labels of a model with <paramref name="count"/> classes and the given metadata; throws
    /// <see cref="ModelRefusedException"/> when the names are there but do not fit.</summary>
    public static LabelSet From(int count, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(MetadataKey, out var list))
            return new LabelSet(count, []);
        var names = list.Split(',').Select(Normalize).ToArray();
        if (names.Length != count)
            throw new ModelRefusedException($"its metadata '{MetadataKey}' names {names.Length} classes, its '{DecoderSignature.LabelInput}' input takes {count}");
        if (names.Any(n => n.Length is 0 or > MaxNameLength) || names.Distinct(StringComparer.Ordinal).Count() != count)
            throw new ModelRefusedException($"its metadata '{MetadataKey}' has an empty, overlong or repeated class name");
        return new LabelSet(count, names);
    }

    /// <summary>The class's name, or its index when the model names none.</summary>
    public string NameOf(int index) => names.Length > 0 ? names[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The class a prompt asks for: a name (any case; spaces and underscores count as hyphens) or an
    /// index; null with <paramref name="error"/> set when there is no such class.</summary>
    public int? Resolve(string prompt, out string? error)
    {
        error = null;
        var wanted = Normalize(prompt);
        var byName = Array.IndexOf(names, wanted);
        if (byName >= 0)
            return byName;
        if (int.TryParse(wanted, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < Count)
            return index;
        error = names.Length > 0
            ? $"the model has no class '{prompt}': it knows {string.Join(", ", names)} (or an index from 0 to {Count - 1})"
            : $"the model names no classes: --prompt must be an index from 0 to {Count - 1}, not '{prompt}'";
        return null;
    }

    private static string Normalize(string name) =>
        name.Trim().ToLowerInvariant().Replace(' ', '-').Replace('_', '-');
}
