using OpenGrid.Core.Content;

namespace OpenGrid.Coordinator.Content;

/// <summary>
/// A stored object no longer hashes to its CID (disk fault, tampering): an infrastructure failure, not a user error.
/// The bytes were moved to the store's quarantine folder.
/// </summary>
public sealed class ContentCorruptException(Cid expected, Cid actual, string? quarantinePath)
    : Exception($"stored object {expected} hashes to {actual}; moved to {quarantinePath ?? "quarantine"}")
{
    public Cid Expected { get; } = expected;

    public Cid Actual { get; } = actual;

    /// <summary>Where the bytes now are; null when a concurrent read moved them there first.</summary>
    public string? QuarantinePath { get; } = quarantinePath;
}
