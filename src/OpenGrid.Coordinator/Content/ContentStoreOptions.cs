namespace OpenGrid.Coordinator.Content;

/// <summary>Content store settings, section <c>ContentStore</c>.</summary>
public sealed class ContentStoreOptions
{
    public const string SectionName = "ContentStore";

    /// <summary>Folder holding <c>objects/</c>, <c>tmp/</c> and <c>quarantine/</c>. Default <c>.opengrid/content</c>.</summary>
    public string Root { get; set; } = Path.Combine(".opengrid", "content");

    /// <summary>Largest object accepted, in bytes. Default 1 GiB.</summary>
    public long MaxObjectBytes { get; set; } = 1L << 30;

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Root))
            yield return "ContentStore:Root is empty; set it to a writable folder, e.g. --ContentStore:Root=.opengrid/content";
        if (MaxObjectBytes <= 0)
            yield return "ContentStore:MaxObjectBytes must be positive (bytes), e.g. 1073741824";
    }
}
