using System.Globalization;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using static OpenGrid.Coordinator.Persistence.SqliteDatabase;

namespace OpenGrid.Coordinator.Persistence;

/// <summary><see cref="ITrustStore"/> over the coordinator's SQLite file (the same one as the jobs).</summary>
public sealed class SqliteTrustStore(SqliteDatabase db) : ITrustStore
{
    public static SqliteTrustStore ForFile(string path) => new(SqliteDatabase.ForFile(path));

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await ExecAsync(c, null, "PRAGMA journal_mode=WAL;", ct);
        await ExecAsync(c, null, SqliteSchema.Trust, ct);
    }

    public async Task<IReadOnlyDictionary<Address, ProviderStanding>> ListStandingsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT address, score, at FROM provider_standing");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var map = new Dictionary<Address, ProviderStanding>();
        while (await r.ReadAsync(ct))
        {
            var address = Address.Parse(r.GetString(0));
            map[address] = new ProviderStanding(address, r.GetDouble(1), ParseTime(r.GetString(2)));
        }
        return map;
    }

    public Task<ProviderStanding?> RecordAsync(Address provider, JobId job, string trustEvent, string jobClass, bool? valid,
        Func<ProviderStanding?, ProviderStanding> apply, CancellationToken ct) =>
        db.WriteAsync<ProviderStanding?>(async (c, tx) =>
        {
            ProviderStanding? current = null;
            await using (var cmd = Command(c, tx, "SELECT score, at FROM provider_standing WHERE address = $a", ("$a", provider.Value)))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                if (await r.ReadAsync(ct))
                    current = new ProviderStanding(provider, r.GetDouble(0), ParseTime(r.GetString(1)));
            }
            var next = apply(current);
            var inserted = await ExecAsync(c, tx, """
                INSERT OR IGNORE INTO trust_events(provider, job_id, event, job_class, score_after, at)
                VALUES ($a, $job, $event, $class, $score, $at)
                """, ct, ("$a", provider.Value), ("$job", job.ToString()), ("$event", trustEvent), ("$class", jobClass),
                ("$score", next.Score), ("$at", Time(next.At)));
            if (inserted == 0)
                return null;
            await ExecAsync(c, tx, """
                INSERT INTO provider_standing(address, score, at) VALUES ($a, $score, $at)
                ON CONFLICT(address) DO UPDATE SET score = excluded.score, at = excluded.at
                """, ct, ("$a", provider.Value), ("$score", next.Score), ("$at", Time(next.At)));
            if (valid is { } v)
            {
                await ExecAsync(c, tx, v
                    ? """
                      INSERT INTO provider_streaks(address, job_class, streak) VALUES ($a, $class, 1)
                      ON CONFLICT(address, job_class) DO UPDATE SET streak = streak + 1
                      """
                    : """
                      INSERT INTO provider_streaks(address, job_class, streak) VALUES ($a, $class, 0)
                      ON CONFLICT(address, job_class) DO UPDATE SET streak = 0
                      """, ct, ("$a", provider.Value), ("$class", jobClass));
            }
            return next;
        }, ct);

    public async Task<int> StreakAsync(Address provider, string jobClass, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT streak FROM provider_streaks WHERE address = $a AND job_class = $class",
            ("$a", provider.Value), ("$class", jobClass));
        return await cmd.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : 0;
    }

    public async Task<IReadOnlyList<TrustEventRecord>> ListEventsAsync(Address provider, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, """
            SELECT job_id, event, job_class, score_after, at FROM trust_events WHERE provider = $a ORDER BY id DESC LIMIT $limit
            """, ("$a", provider.Value), ("$limit", limit));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TrustEventRecord>();
        while (await r.ReadAsync(ct))
            list.Add(new TrustEventRecord(provider, JobId.Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetDouble(3), ParseTime(r.GetString(4))));
        return list;
    }

    public Task<bool> AddHarvestedCanaryAsync(HarvestedCanary canary, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await ExecAsync(c, tx, """
            INSERT OR IGNORE INTO harvested_canaries(key, job_class, spec, expected, reproduced_by, source_job, created_at)
            VALUES ($key, $class, $spec, $expected, $by, $source, $at)
            """, ct, ("$key", canary.Key), ("$class", canary.JobClass), ("$spec", canary.SpecText), ("$expected", canary.ExpectedJson),
            ("$by", canary.ReproducedBy), ("$source", canary.SourceJob.ToString()), ("$at", Time(canary.CreatedAt))) == 1, ct);

    public Task<IReadOnlyList<HarvestedCanary>> ListHarvestedCanariesAsync(string jobClass, CancellationToken ct) =>
        ReadHarvestedAsync("WHERE job_class = $p ORDER BY created_at, key", jobClass, ct);

    public async Task<HarvestedCanary?> FindHarvestedCanaryAsync(string key, CancellationToken ct) =>
        (await ReadHarvestedAsync("WHERE key = $p", key, ct)).FirstOrDefault();

    private async Task<IReadOnlyList<HarvestedCanary>> ReadHarvestedAsync(string where, string parameter, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null,
            $"SELECT key, job_class, spec, expected, reproduced_by, source_job, created_at FROM harvested_canaries {where}", ("$p", parameter));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<HarvestedCanary>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new HarvestedCanary(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                JobId.Parse(r.GetString(5)), ParseTime(r.GetString(6))));
        }
        return list;
    }
}
