using OpenGrid.Core.Jobs;
using static OpenGrid.Coordinator.Persistence.SqliteDatabase;

namespace OpenGrid.Coordinator.Persistence;

/// <summary><see cref="IReceiptStore"/> over the coordinator's SQLite file (the same one as the jobs).</summary>
public sealed class SqliteReceiptStore(SqliteDatabase db) : IReceiptStore
{
    private const string Columns = "job_id, attempt, epoch, provider, hash, prev_hash, receipt, signature, inputs, outputs, accepted_at";

    public static SqliteReceiptStore ForFile(string path) => new(SqliteDatabase.ForFile(path));

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await ExecAsync(c, null, "PRAGMA journal_mode=WAL;", ct);
        await ExecAsync(c, null, SqliteSchema.Receipts, ct);
    }

    public async Task<string?> HeadAsync(Address provider, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT hash FROM receipts WHERE provider = $p ORDER BY seq DESC LIMIT 1", ("$p", provider.Value));
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    public async Task<StoredReceipt?> FindAsync(JobId job, long epoch, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, $"SELECT {Columns} FROM receipts WHERE job_id = $j AND epoch = $e", ("$j", job.ToString()), ("$e", epoch));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    public Task<bool> AppendAsync(StoredReceipt receipt, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await using (var head = Command(c, tx, "SELECT hash FROM receipts WHERE provider = $p ORDER BY seq DESC LIMIT 1", ("$p", receipt.Provider.Value)))
            {
                var current = await head.ExecuteScalarAsync(ct) as string;
                if (!string.Equals(current ?? Zero, receipt.PrevHash, StringComparison.OrdinalIgnoreCase))
                    return false;
            }
            return await ExecAsync(c, tx, $"""
                INSERT OR IGNORE INTO receipts({Columns})
                VALUES ($j, $a, $e, $p, $h, $prev, $receipt, $sig, $in, $out, $at)
                """, ct, ("$j", receipt.Job.ToString()), ("$a", receipt.Attempt), ("$e", receipt.Epoch), ("$p", receipt.Provider.Value),
                ("$h", receipt.Hash), ("$prev", receipt.PrevHash), ("$receipt", receipt.ReceiptJson), ("$sig", receipt.Signature),
                ("$in", receipt.InputsJson), ("$out", receipt.OutputsJson), ("$at", Time(receipt.AcceptedAt))) > 0;
        }, ct);

    public async Task<IReadOnlyList<StoredReceipt>> ListForJobsAsync(IReadOnlyList<JobId> jobs, CancellationToken ct)
    {
        var list = new List<StoredReceipt>();
        await using var c = await db.OpenAsync(ct);
        foreach (var job in jobs)
        {
            await using var cmd = Command(c, null, $"SELECT {Columns}, seq FROM receipts WHERE job_id = $j", ("$j", job.ToString()));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                list.Add(Read(r) with { });
        }
        return list.OrderBy(s => s.AcceptedAt).ToList();
    }

    private const string Zero = "0x0000000000000000000000000000000000000000000000000000000000000000";

    private static StoredReceipt Read(Microsoft.Data.Sqlite.SqliteDataReader r) => new(
        JobId.Parse(r.GetString(0)), r.GetInt32(1), r.GetInt64(2), Address.Parse(r.GetString(3)), r.GetString(4), r.GetString(5),
        r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9), ParseTime(r.GetString(10)));
}
