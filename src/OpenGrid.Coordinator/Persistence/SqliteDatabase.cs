using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OpenGrid.Coordinator.Persistence;

/// <summary>
/// One SQLite file shared by the coordinator's stores (jobs, settlement): one writer lock for all of them — SQLite
/// has a single writer, and waiting in-process is cheaper and clearer than SQLITE_BUSY retries — connections opened
/// with a busy timeout, and the small command helpers every store uses.
/// </summary>
public sealed class SqliteDatabase
{
    private static readonly ConcurrentDictionary<string, SqliteDatabase> ByPath = new(StringComparer.Ordinal);
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private SqliteDatabase(string connectionString, bool fullSync)
    {
        _connectionString = connectionString;
        // WAL with synchronous=NORMAL: a commit is durable once the process has written it (a crash or kill -9 loses
        // nothing), the WAL is fsynced at checkpoints; a power loss may roll back the last commits. FULL fsyncs every
        // commit (ADR 0010).
        _pragmas = $"PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = {(fullSync ? "FULL" : "NORMAL")};";
    }

    /// <summary>
    /// The database of a file: every store over the same file gets the same instance, hence the same lock.
    /// <paramref name="fullSync"/> fsyncs every commit (see <c>Coordinator:StoreSync</c>); the first caller for a file decides.
    /// </summary>
    public static SqliteDatabase ForFile(string path, bool fullSync = false) =>
        ByPath.GetOrAdd(Path.GetFullPath(path), full => new SqliteDatabase(
            new SqliteConnectionStringBuilder { DataSource = full, Pooling = true }.ToString(), fullSync));

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct);
        await ExecAsync(c, null, _pragmas, ct);
        return c;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction under the file's writer lock.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await using var c = await OpenAsync(ct);
            await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
            var result = await work(c, tx);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public static async Task<int> ExecAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (n, v) in args)
            cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }

    /// <summary>Times are stored as round-trip UTC text, which sorts in time order.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string s) =>
        DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
