using OpenGrid.Core;
using OpenGrid.Core.Content;

namespace OpenGrid.Coordinator.Content;

/// <summary>What became of an upload: stored, or one of the expected rejections (nothing is kept then).</summary>
public abstract record ContentPutResult
{
    private ContentPutResult()
    {
    }

    /// <summary>The object is in the store under <paramref name="Cid"/> (it may already have been).</summary>
    public sealed record Stored(Cid Cid, long Size) : ContentPutResult;

    /// <summary>The object is, or was declared to be, larger than <paramref name="MaxBytes"/>. Code <c>content.too_large</c>.</summary>
    public sealed record TooLarge(long MaxBytes) : ContentPutResult
    {
        public string Code => ErrorCodes.ContentTooLarge;
    }

    /// <summary>
    /// The body's length differed from the declared one (usually: the upload broke off).
    /// Code <c>content.incomplete</c>.
    /// </summary>
    public sealed record Incomplete(long ReceivedBytes, long DeclaredBytes) : ContentPutResult
    {
        public string Code => ErrorCodes.ContentIncomplete;
    }
}
