namespace OpenGrid.Core.Content;

/// <summary>
/// Which <c>ipfs add</c> settings <see cref="UnixFsCidBuilder"/> reproduces. Both use kubo's default layout:
/// fixed 262144-byte chunks, balanced DAG, at most 174 links per node.
/// </summary>
public enum UnixFsImportProfile
{
    /// <summary><c>ipfs add --cid-version=1 --raw-leaves</c>: raw leaves, CIDv1 links. What OpenGrid uses.</summary>
    CidV1RawLeaves,

    /// <summary>
    /// Plain <c>ipfs add</c>: CIDv0 links, leaves wrapped in dag-pb/UnixFS nodes. The root is returned as the
    /// CIDv1 (dag-pb) of the same digest, i.e. the <c>Qm…</c> hash re-encoded. Kept to check the layout against
    /// tools that only know this profile (Debian's <c>ipfs_cid</c>).
    /// </summary>
    CidV0DagPbLeaves,
}
