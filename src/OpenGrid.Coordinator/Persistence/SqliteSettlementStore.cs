using System.Globalization;
using Microsoft.Data.Sqlite;
using static OpenGrid.Coordinator.Persistence.SqliteDatabase;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Persistence;

/// <summary><see cref="ISettlementStore"/> over the coordinator's SQLite file (the same one as the jobs).</summary>
public sealed class SqliteSettlementStore(SqliteDatabase db) : ISettlementStore
{
    private const string Columns = """
        id, job_id, attempt, action, requester, provider, rate_per_hour, cap, seconds, mode, state, failures,
        next_try_at, tx_hash, gas_used, note, seq
        """;

    public static SqliteSettlementStore ForFile(string path) => new(SqliteDatabase.ForFile(path));

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await ExecAsync(c, null, "PRAGMA journal_mode=WAL;", ct);
        await SqliteSchema.MigrateSettlementAsync(c, ct);
        await ExecAsync(c, null, SqliteSchema.Settlement, ct);
    }

    public Task<DateTimeOffset> EnabledSinceAsync(DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await ExecAsync(c, tx, "INSERT OR IGNORE INTO settlement_meta(key, value) VALUES ('enabled_since', $at)", ct, ("$at", Time(now)));
            await using var cmd = Command(c, tx, "SELECT value FROM settlement_meta WHERE key = 'enabled_since'");
            return ParseTime((string)(await cmd.ExecuteScalarAsync(ct))!);
        }, ct);

    public Task AddAsync(IReadOnlyList<SettlementIntent> intents, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            foreach (var i in intents)
                await InsertAsync(c, tx, i, now, ct);
            return 0;
        }, ct);

    public Task<bool> AddReleaseAsync(SettlementIntent release, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => !await HasCloseAsync(c, tx, release, ct) && await CoalesceReleaseAsync(c, tx, release, now, ct), ct);

    public Task<bool> AddEndAsync(SettlementIntent? release, SettlementIntent close, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            if (await HasCloseAsync(c, tx, close, ct))
                return false;
            if (release is not null)
                await CoalesceReleaseAsync(c, tx, release, now, ct);
            await InsertAsync(c, tx, close, now, ct);
            return true;
        }, ct);

    private static async Task<bool> HasCloseAsync(SqliteConnection c, SqliteTransaction tx, SettlementIntent lease, CancellationToken ct)
    {
        await using var cmd = Command(c, tx, "SELECT COUNT(*) FROM settlement_intents WHERE job_id = $job AND attempt = $attempt AND action = 'close'",
            ("$job", lease.Job.ToString()), ("$attempt", lease.Attempt));
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// The lease's next release, coalesced: nothing when a release (not failed) already pays at least these seconds; the
    /// latest release raised to them when it is still pending (it has never gone out, so nothing can be paid twice);
    /// else a new release numbered after the latest. True when it wrote.
    /// </summary>
    private static async Task<bool> CoalesceReleaseAsync(SqliteConnection c, SqliteTransaction tx, SettlementIntent release, DateTimeOffset now, CancellationToken ct)
    {
        long? latestId = null;
        string? latestState = null;
        var latestSeq = -1;
        var recorded = 0L;
        await using (var cmd = Command(c, tx, """
            SELECT id, seq, seconds, state FROM settlement_intents
            WHERE job_id = $job AND attempt = $attempt AND action = 'release' ORDER BY seq DESC
            """, ("$job", release.Job.ToString()), ("$attempt", release.Attempt)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                if (latestId is null)
                    (latestId, latestSeq, latestState) = (r.GetInt64(0), r.GetInt32(1), r.GetString(3));
                if (r.GetString(3) != "failed")
                    recorded = Math.Max(recorded, r.GetInt64(2));
            }
        }
        var seconds = checked((long)release.Seconds);
        if (seconds <= recorded)
            return false;
        if (latestState == "pending")
        {
            await ExecAsync(c, tx, "UPDATE settlement_intents SET seconds = $seconds, updated_at = $at WHERE id = $id AND state = 'pending'", ct,
                ("$seconds", seconds), ("$at", Time(now)), ("$id", latestId));
            return true;
        }
        await InsertAsync(c, tx, release with { Seq = latestSeq + 1 }, now, ct);
        return true;
    }

    private static Task<int> InsertAsync(SqliteConnection c, SqliteTransaction tx, SettlementIntent i, DateTimeOffset now, CancellationToken ct) =>
        ExecAsync(c, tx, """
            INSERT OR IGNORE INTO settlement_intents(job_id, attempt, action, seq, lease_id, requester, provider,
              rate_per_hour, cap, seconds, mode, state, created_at, updated_at)
            VALUES ($job, $attempt, $action, $seq, $lease, $requester, $provider, $rate, $cap, $seconds, $mode, 'pending', $at, $at)
            """, ct,
            ("$job", i.Job.ToString()), ("$attempt", i.Attempt), ("$action", i.Action.ToWire()), ("$seq", i.Seq), ("$lease", i.LeaseId.Hex),
            ("$requester", i.Requester.Value), ("$provider", i.Provider.Value), ("$rate", i.RatePerHour.BaseUnits),
            ("$cap", i.Cap.BaseUnits), ("$seconds", checked((long)i.Seconds)), ("$mode", i.Mode.ToWire()), ("$at", Time(now)));

    public async Task<IReadOnlyList<SettlementIntent>> ListUnfinishedAsync(int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await QueryAsync(c, $"SELECT {Columns} FROM settlement_intents WHERE state IN ('pending', 'sent') ORDER BY id LIMIT $limit", ct,
            ("$limit", limit));
    }

    public async Task<IReadOnlyList<SettlementIntent>> ListForJobAsync(JobId job, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await QueryAsync(c, $"SELECT {Columns} FROM settlement_intents WHERE job_id = $job ORDER BY id", ct, ("$job", job.ToString()));
    }

    public async Task<SettlementIntent?> GetOpenAsync(JobId job, int attempt, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await QueryAsync(c, $"SELECT {Columns} FROM settlement_intents WHERE job_id = $job AND attempt = $attempt AND action = 'open'", ct,
            ("$job", job.ToString()), ("$attempt", attempt))).FirstOrDefault();
    }

    public async Task<IReadOnlyList<SettlementIntent>> ListOpensWithoutCloseAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await QueryAsync(c, $"""
            SELECT {Columns} FROM settlement_intents o WHERE o.action = 'open' AND NOT EXISTS (
              SELECT 1 FROM settlement_intents x WHERE x.job_id = o.job_id AND x.attempt = o.attempt AND x.action = 'close')
            ORDER BY o.id
            """, ct);
    }

    public Task<SettlementIntent> MarkSentAsync(long id, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await ExecAsync(c, tx, "UPDATE settlement_intents SET state = 'sent', updated_at = $at WHERE id = $id", ct, ("$id", id), ("$at", Time(now)));
            return (await QueryAsync(c, tx, $"SELECT {Columns} FROM settlement_intents WHERE id = $id", ct, ("$id", id))).Single();
        }, ct);

    public Task<SettlementIntent> MarkOpenSentAsync(long id, TokenAmount cap, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await ExecAsync(c, tx, "UPDATE settlement_intents SET state = 'sent', cap = $cap, updated_at = $at WHERE id = $id AND action = 'open'", ct,
                ("$id", id), ("$cap", cap.BaseUnits), ("$at", Time(now)));
            return (await QueryAsync(c, tx, $"SELECT {Columns} FROM settlement_intents WHERE id = $id", ct, ("$id", id))).Single();
        }, ct);

    public Task LowerReleaseAsync(long id, ulong seconds, string note, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await ExecAsync(c, tx,
            "UPDATE settlement_intents SET seconds = $seconds, note = $note, updated_at = $at WHERE id = $id AND action = 'release' AND seconds > $seconds", ct,
            ("$id", id), ("$seconds", checked((long)seconds)), ("$note", note), ("$at", Time(now))), ct);

    public Task MarkDoneAsync(long id, string? txHash, long? gasUsed, string note, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(id, "state = 'done', next_try_at = NULL, tx_hash = COALESCE($tx, tx_hash), gas_used = COALESCE($gas, gas_used), note = $note, updated_at = $at",
            now, ct, ("$tx", txHash), ("$gas", gasUsed), ("$note", note));

    public Task MarkFailedAsync(long id, string note, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(id, "state = 'failed', next_try_at = NULL, note = $note, updated_at = $at", now, ct, ("$note", note));

    public Task ScheduleRetryAsync(long id, DateTimeOffset nextTryAt, string note, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(id, "failures = failures + 1, next_try_at = $next, note = $note, updated_at = $at", now, ct,
            ("$next", Time(nextTryAt)), ("$note", note));

    private Task UpdateAsync(long id, string set, DateTimeOffset now, CancellationToken ct, params (string, object?)[] args) =>
        db.WriteAsync(async (c, tx) => await ExecAsync(c, tx, $"UPDATE settlement_intents SET {set} WHERE id = $id", ct,
            [("$id", id), ("$at", Time(now)), .. args]), ct);

    private static Task<IReadOnlyList<SettlementIntent>> QueryAsync(SqliteConnection c, string sql, CancellationToken ct, params (string, object?)[] args) =>
        QueryAsync(c, null, sql, ct, args);

    private static async Task<IReadOnlyList<SettlementIntent>> QueryAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct,
        params (string, object?)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SettlementIntent>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new SettlementIntent(
                r.GetInt64(0),
                JobId.TryParse(r.GetString(1), out var job) ? job : throw new InvalidDataException($"settlement intent {r.GetInt64(0)} has job id '{r.GetString(1)}'"),
                r.GetInt32(2),
                SettlementNames.ParseAction(r.GetString(3)),
                Address.Parse(r.GetString(4)),
                Address.Parse(r.GetString(5)),
                TokenAmount.FromBaseUnits(r.GetInt64(6)),
                TokenAmount.FromBaseUnits(r.GetInt64(7)),
                checked((ulong)r.GetInt64(8)),
                SettlementNames.ParseMode(r.GetString(9)),
                SettlementNames.ParseState(r.GetString(10)),
                r.GetInt32(11),
                r.IsDBNull(12) ? null : ParseTime(r.GetString(12)),
                r.IsDBNull(13) ? null : r.GetString(13),
                r.IsDBNull(14) ? null : r.GetInt64(14),
                r.IsDBNull(15) ? null : r.GetString(15),
                r.GetInt32(16)));
        }
        return list;
    }

}
