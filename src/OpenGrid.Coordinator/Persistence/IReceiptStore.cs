using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Persistence;

/// <summary>
/// The receipts providers signed, one per finished attempt, in the order they were accepted. A provider's chain head
/// is the hash of its last accepted receipt.
/// </summary>
public interface IReceiptStore
{
    Task InitializeAsync(CancellationToken ct);

    /// <summary>The hash of the provider's last accepted receipt, or null when it has none.</summary>
    Task<string?> HeadAsync(Address provider, CancellationToken ct);

    /// <summary>The stored receipt of a job's attempt at an epoch, or null.</summary>
    Task<StoredReceipt?> FindAsync(JobId job, long epoch, CancellationToken ct);

    /// <summary>
    /// Stores a receipt as the provider's new head, only if its previous hash is still the provider's head (no receipt
    /// raced it in): false otherwise, or when the same receipt is already stored.
    /// </summary>
    Task<bool> AppendAsync(StoredReceipt receipt, CancellationToken ct);

    /// <summary>The receipts of the given jobs, in acceptance order.</summary>
    Task<IReadOnlyList<StoredReceipt>> ListForJobsAsync(IReadOnlyList<JobId> jobs, CancellationToken ct);
}

/// <summary>
/// An accepted receipt: the attempt it is for, the provider, its hash and previous hash (0x-hex), the receipt as sent
/// (JSON of <c>ReceiptView</c>), its signature, and the input and output lists its hashes cover (JSON).
/// </summary>
public sealed record StoredReceipt(
    JobId Job,
    int Attempt,
    long Epoch,
    Address Provider,
    string Hash,
    string PrevHash,
    string ReceiptJson,
    string Signature,
    string InputsJson,
    string OutputsJson,
    DateTimeOffset AcceptedAt);
