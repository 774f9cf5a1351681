using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static OpenGrid.Coordinator.Persistence.SqliteDatabase;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Persistence;

/// <summary>
/// <see cref="IJobStore"/> over one SQLite file (WAL). Writes are serialized by the file's <see cref="SqliteDatabase"/> lock, shared with the settlement store: SQLite has one writer, and
/// waiting in-process is cheaper and clearer than SQLITE_BUSY retries.
/// </summary>
public sealed class SqliteJobStore(SqliteDatabase db) : IJobStore
{
    public static SqliteJobStore ForFile(string path) => new(SqliteDatabase.ForFile(path));

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await ExecAsync(c, null, "PRAGMA journal_mode=WAL;", ct);
        await ExecAsync(c, null, SqliteSchema.V1, ct);
        await SqliteSchema.MigrateAsync(c, ct);
        await ExecAsync(c, null, SqliteSchema.AddedIndexes, ct);
    }

    public async Task InsertJobAsync(Job job, CancellationToken ct)
    {
        await db.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(c, tx, job, ct);
            return 0;
        }, ct);
    }

    public Task<bool> PlanReplicasAsync(JobId root, int? expectedPlanned, int planned, IReadOnlyList<Job> replicas, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var changed = await ExecAsync(c, tx, expectedPlanned is null
                    ? "UPDATE jobs SET planned_replicas = $n WHERE id = $id AND planned_replicas IS NULL"
                    : "UPDATE jobs SET planned_replicas = $n WHERE id = $id AND planned_replicas = $expected", ct,
                ("$id", root.ToString()), ("$n", planned), ("$expected", expectedPlanned));
            if (changed == 0)
                return false;
            foreach (var replica in replicas)
                await InsertAsync(c, tx, replica, ct);
            return true;
        }, ct);

    public async Task<IReadOnlyList<Job>> ListGroupAsync(JobId root, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var ids = await QueryIdsAsync(c, "SELECT id FROM jobs WHERE id = $id OR group_of = $id ORDER BY replica, created_at, id", ct,
            ("$id", root.ToString()));
        return await LoadManyAsync(c, ids, ct);
    }

    public Task<TransitionResult> SettleGroupAsync(JobId root, JobState to, string? reason, IReadOnlyList<OutputFile>? outputs,
        IReadOnlyDictionary<JobId, string> verdicts, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var job = await LoadJobAsync(c, tx, root, ct);
            if (job is null)
                return new TransitionResult(TransitionOutcome.NotFound, null);
            if (job.State == to)
                return new TransitionResult(TransitionOutcome.AlreadyApplied, job);
            if (job.State != JobState.Verifying || !JobStateMachine.CanMove(job.State, to))
                return new TransitionResult(TransitionOutcome.IllegalTransition, job);
            await ExecAsync(c, tx, "UPDATE jobs SET state = $s, updated_at = $at, reason = $reason WHERE id = $id", ct,
                ("$id", root.ToString()), ("$s", to.ToWire()), ("$at", Time(now)), ("$reason", reason));
            if (outputs is not null)
            {
                await ExecAsync(c, tx, "DELETE FROM job_outputs WHERE job_id = $id", ct, ("$id", root.ToString()));
                await InsertOutputsAsync(c, tx, job, outputs, ct);
            }
            foreach (var (member, verdict) in verdicts)
            {
                await ExecAsync(c, tx, "UPDATE jobs SET verdict = $v WHERE id = $id AND (id = $root OR group_of = $root)", ct,
                    ("$id", member.ToString()), ("$v", verdict), ("$root", root.ToString()));
            }
            return new TransitionResult(TransitionOutcome.Applied, await LoadJobAsync(c, tx, root, ct));
        }, ct);

    private static async Task InsertAsync(SqliteConnection c, SqliteTransaction tx, Job job, CancellationToken ct)
    {
        await ExecAsync(c, tx, """
            INSERT INTO jobs(id, requester, name, spec, state, created_at, updated_at, next_epoch, group_of, replica, kind, planned_replicas,
              authorization)
            VALUES ($id, $requester, $name, $spec, $state, $at, $at, 1, $group, $replica, $kind, $planned, $authorization)
            """, ct,
            ("$id", job.Id.ToString()), ("$requester", job.Requester.Value), ("$name", job.Name),
            ("$spec", job.SpecText), ("$state", job.State.ToWire()), ("$at", Time(job.CreatedAt)),
            ("$group", job.GroupOf?.ToString()), ("$replica", job.Replica), ("$kind", KindText(job.Kind)),
            ("$planned", job.PlannedReplicas), ("$authorization", AuthorizationText(job.Authorization)));
        foreach (var input in job.Inputs)
        {
            await ExecAsync(c, tx, "INSERT INTO job_inputs(job_id, path, cid) VALUES ($id, $path, $cid)", ct,
                ("$id", job.Id.ToString()), ("$path", input.Path), ("$cid", input.Cid.ToString()));
            await GrantAsync(c, tx, input.Cid, job.Requester, ct);
        }
    }

    private static async Task InsertOutputsAsync(SqliteConnection c, SqliteTransaction tx, Job job, IReadOnlyList<OutputFile> outputs, CancellationToken ct)
    {
        foreach (var output in outputs)
        {
            await ExecAsync(c, tx, "INSERT OR REPLACE INTO job_outputs(job_id, path, cid, size) VALUES ($id, $path, $cid, $size)", ct,
                ("$id", job.Id.ToString()), ("$path", output.Path), ("$cid", output.Cid.ToString()), ("$size", output.Size));
            await GrantAsync(c, tx, output.Cid, job.Requester, ct);
        }
    }

    private static string KindText(JobKind kind) => kind switch
    {
        JobKind.Replica => "replica",
        JobKind.Canary => "canary",
        _ => "requested",
    };

    /// <summary>A job authorization is stored as its wire form (JSON), exactly as the requester sent it.</summary>
    private static string? AuthorizationText(JobAuthorization? authorization) =>
        authorization is null ? null : JsonSerializer.Serialize(authorization.ToView(), OpenGridJsonContext.Default.JobAuthorizationView);

    private static JobAuthorization? ParseAuthorization(JobId id, string? text)
    {
        if (text is null)
            return null;
        var view = JsonSerializer.Deserialize(text, OpenGridJsonContext.Default.JobAuthorizationView);
        return view is not null && JobAuthorizationWire.TryParse(view, out var authorization, out var problem)
            ? authorization
            : throw new InvalidDataException($"stored authorization of job {id} no longer parses");
    }

    private static JobKind ParseKind(string text) => text switch
    {
        "replica" => JobKind.Replica,
        "canary" => JobKind.Canary,
        _ => JobKind.Requested,
    };

    public async Task<Job?> GetJobAsync(JobId id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await LoadJobAsync(c, null, id, ct);
    }

    public async Task<IReadOnlyList<Job>> ListJobsAsync(Address requester, JobState? state, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var ids = await QueryIdsAsync(c,
            state is null
                ? "SELECT id FROM jobs WHERE requester = $r AND group_of IS NULL ORDER BY created_at DESC, id DESC LIMIT $limit"
                : "SELECT id FROM jobs WHERE requester = $r AND group_of IS NULL AND state = $s ORDER BY created_at DESC, id DESC LIMIT $limit",
            ct, ("$r", requester.Value), ("$s", state?.ToWire()), ("$limit", limit));
        return await LoadManyAsync(c, ids, ct);
    }

    public async Task<IReadOnlyList<Job>> ListJobsUpdatedSinceAsync(Address requester, DateTimeOffset since, CancellationToken ct)
    {
        // Times are stored as fixed-width UTC ISO 8601 text, so text order is time order.
        await using var c = await db.OpenAsync(ct);
        var ids = await QueryIdsAsync(c,
            "SELECT id FROM jobs WHERE requester = $r AND group_of IS NULL AND updated_at >= $since ORDER BY updated_at, id",
            ct, ("$r", requester.Value), ("$since", Time(since)));
        return await LoadManyAsync(c, ids, ct);
    }

    public async Task<IReadOnlyList<Job>> ListQueuedAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var ids = await QueryIdsAsync(c, """
            SELECT id FROM jobs WHERE state = 'queued' AND (not_before IS NULL OR not_before <= $now)
            ORDER BY created_at, id LIMIT $limit
            """, ct, ("$now", Time(now)), ("$limit", limit));
        return await LoadManyAsync(c, ids, ct);
    }

    public async Task<IReadOnlyList<Job>> ListActiveAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var ids = await QueryIdsAsync(c, "SELECT id FROM jobs WHERE state IN ('assigned', 'running') ORDER BY created_at, id", ct);
        return await LoadManyAsync(c, ids, ct);
    }

    public async Task<IReadOnlyList<Job>> ListVerifyingAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var ids = await QueryIdsAsync(c, "SELECT id FROM jobs WHERE state = 'verifying' ORDER BY created_at, id", ct);
        return await LoadManyAsync(c, ids, ct);
    }

    public Task<TransitionResult> RequeueAsync(JobId id, long epoch, string reason, DateTimeOffset notBefore, int maxAttempts, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var job = await LoadJobAsync(c, tx, id, ct);
            if (job is null)
                return new TransitionResult(TransitionOutcome.NotFound, null);
            if (job.CurrentAttempt is not { } current || current.Epoch != epoch)
                return new TransitionResult(TransitionOutcome.StaleEpoch, job);
            if (job.State.IsTerminal() || job.State == JobState.Queued)
                return new TransitionResult(TransitionOutcome.AlreadyApplied, job);

            await ExecAsync(c, tx, "UPDATE attempts SET state = 'failed', finished_at = $at, reason = $reason WHERE job_id = $id AND epoch = $epoch", ct,
                ("$id", id.ToString()), ("$epoch", epoch), ("$at", Time(now)), ("$reason", reason));
            if (job.Attempts.Count < maxAttempts)
            {
                await ExecAsync(c, tx, "UPDATE jobs SET state = 'queued', updated_at = $at, not_before = $nb, reason = $reason WHERE id = $id", ct,
                    ("$id", id.ToString()), ("$at", Time(now)), ("$nb", Time(notBefore)), ("$reason", $"attempt {current.Number} lost: {reason}; retrying"));
            }
            else
            {
                var history = string.Join("; ", job.Attempts.Select(a => $"attempt {a.Number} on {a.Provider}: {(a.Epoch == epoch ? reason : a.Reason ?? a.State.ToWire())}"));
                await ExecAsync(c, tx, "UPDATE jobs SET state = 'failed', updated_at = $at, reason = $reason WHERE id = $id", ct,
                    ("$id", id.ToString()), ("$at", Time(now)), ("$reason", $"gave up after {job.Attempts.Count} attempts: {history}"));
            }
            return new TransitionResult(TransitionOutcome.Applied, await LoadJobAsync(c, tx, id, ct));
        }, ct);

    public Task SetDrainingAsync(Address provider, bool draining, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await ExecAsync(c, tx, """
                INSERT INTO providers(address, draining) VALUES ($a, $d)
                ON CONFLICT(address) DO UPDATE SET draining = excluded.draining
                """, ct, ("$a", provider.Value), ("$d", draining ? 1 : 0));
            return 0;
        }, ct);

    public async Task<IReadOnlySet<Address>> ListDrainingAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT address FROM providers WHERE draining = 1");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var set = new HashSet<Address>();
        while (await r.ReadAsync(ct))
            set.Add(Address.Parse(r.GetString(0)));
        return set;
    }

    public async Task<IReadOnlyList<Job>> ListActiveForProviderAsync(Address provider, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var ids = await QueryIdsAsync(c, """
            SELECT j.id FROM jobs j JOIN attempts a ON a.job_id = j.id AND a.epoch = j.next_epoch - 1
            WHERE j.state IN ('assigned', 'running') AND a.provider = $p ORDER BY j.created_at
            """, ct, ("$p", provider.Value));
        return await LoadManyAsync(c, ids, ct);
    }

    public async Task<IReadOnlyList<(Job Job, Attempt Attempt)>> ListRecentLeasesAsync(int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT job_id, epoch FROM attempts ORDER BY assigned_at DESC, epoch DESC LIMIT $limit", ("$limit", limit));
        var keys = new List<(JobId, long)>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                if (JobId.TryParse(r.GetString(0), out var id))
                    keys.Add((id, r.GetInt64(1)));
            }
        }
        var list = new List<(Job, Attempt)>();
        foreach (var (id, epoch) in keys)
        {
            if (await LoadJobAsync(c, null, id, ct) is { } job && job.Attempts.FirstOrDefault(a => a.Epoch == epoch) is { } attempt)
                list.Add((job, attempt));
        }
        return list;
    }

    public Task<Attempt?> AssignAsync(JobId id, Address provider, TokenAmount pricePerHour, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync<Attempt?>(async (c, tx) =>
        {
            var job = await LoadJobAsync(c, tx, id, ct);
            if (job is null || job.State != JobState.Queued)
                return null;
            var epoch = await ScalarLongAsync(c, tx, "SELECT next_epoch FROM jobs WHERE id = $id", ct, ("$id", id.ToString()));
            var number = job.Attempts.Count + 1;
            await ExecAsync(c, tx, "UPDATE jobs SET state = 'assigned', updated_at = $at, next_epoch = next_epoch + 1, not_before = NULL, reason = NULL WHERE id = $id", ct,
                ("$id", id.ToString()), ("$at", Time(now)));
            await ExecAsync(c, tx, """
                INSERT INTO attempts(job_id, attempt, epoch, provider, state, assigned_at, price_per_hour)
                VALUES ($id, $n, $epoch, $p, 'assigned', $at, $price)
                """, ct, ("$id", id.ToString()), ("$n", number), ("$epoch", epoch), ("$p", provider.Value), ("$at", Time(now)),
                ("$price", pricePerHour.BaseUnits));
            foreach (var input in job.Inputs)
                await GrantAsync(c, tx, input.Cid, provider, ct);
            return new Attempt(number, epoch, provider, JobState.Assigned, now, null, null, null, null, null, pricePerHour);
        }, ct);

    public Task<TransitionResult> TransitionAsync(JobId id, long epoch, JobTransition t, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var job = await LoadJobAsync(c, tx, id, ct);
            if (job is null)
                return new TransitionResult(TransitionOutcome.NotFound, null);
            var current = job.CurrentAttempt;
            if (current is null || current.Epoch != epoch)
                return new TransitionResult(TransitionOutcome.StaleEpoch, job);
            var jobTo = t.JobTo ?? t.To;
            if (job.State == jobTo || (t.To == JobState.Running && (job.State.IsTerminal() || job.State == JobState.Verifying))
                || (job.State == JobState.Verifying && t.To.IsTerminal()))
                return new TransitionResult(TransitionOutcome.AlreadyApplied, job);
            if (!JobStateMachine.CanMove(job.State, jobTo))
                return new TransitionResult(TransitionOutcome.IllegalTransition, job);

            await ExecAsync(c, tx, """
                UPDATE jobs SET state = $s, updated_at = $at,
                  exit_code = COALESCE($exit, exit_code), reason = COALESCE($reason, reason) WHERE id = $id
                """, ct, ("$id", id.ToString()), ("$s", jobTo.ToWire()), ("$at", Time(t.At)), ("$exit", t.ExitCode), ("$reason", t.Reason));
            var timeColumn = t.To == JobState.Running ? "started_at" : "finished_at";
            await ExecAsync(c, tx, $"""
                UPDATE attempts SET state = $s, {timeColumn} = $at, exit_code = COALESCE($exit, exit_code),
                  reason = COALESCE($reason, reason), wall_ms = COALESCE($wall, wall_ms), cpu_ms = COALESCE($cpu, cpu_ms),
                  peak_memory = COALESCE($mem, peak_memory)
                WHERE job_id = $id AND epoch = $epoch
                """, ct, ("$id", id.ToString()), ("$epoch", epoch), ("$s", t.To.ToWire()), ("$at", Time(t.At)),
                ("$exit", t.ExitCode), ("$reason", t.Reason), ("$wall", (long?)t.Usage?.Wall.TotalMilliseconds),
                ("$cpu", (long?)t.Usage?.Cpu.TotalMilliseconds), ("$mem", t.Usage?.PeakMemoryBytes));
            await InsertOutputsAsync(c, tx, job, t.Outputs ?? [], ct);
            return new TransitionResult(TransitionOutcome.Applied, await LoadJobAsync(c, tx, id, ct));
        }, ct);

    public Task<bool> FailQueuedAsync(JobId id, string reason, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await ExecAsync(c, tx,
            "UPDATE jobs SET state = 'failed', updated_at = $at, reason = $reason WHERE id = $id AND state = 'queued'", ct,
            ("$id", id.ToString()), ("$at", Time(now)), ("$reason", reason)) > 0, ct);

    public Task<TransitionResult> CancelAsync(JobId id, string reason, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var job = await LoadJobAsync(c, tx, id, ct);
            if (job is null)
                return new TransitionResult(TransitionOutcome.NotFound, null);
            if (job.State == JobState.Cancelled)
                return new TransitionResult(TransitionOutcome.AlreadyApplied, job);
            if (!JobStateMachine.CanMove(job.State, JobState.Cancelled))
                return new TransitionResult(TransitionOutcome.IllegalTransition, job);
            await ExecAsync(c, tx, "UPDATE jobs SET state = 'cancelled', updated_at = $at, reason = $reason WHERE id = $id", ct,
                ("$id", id.ToString()), ("$at", Time(now)), ("$reason", reason));
            if (job.CurrentAttempt is { } a && !a.State.IsTerminal())
            {
                await ExecAsync(c, tx, "UPDATE attempts SET state = 'cancelled', finished_at = $at, reason = $reason WHERE job_id = $id AND epoch = $epoch", ct,
                    ("$id", id.ToString()), ("$epoch", a.Epoch), ("$at", Time(now)), ("$reason", reason));
            }
            return new TransitionResult(TransitionOutcome.Applied, await LoadJobAsync(c, tx, id, ct));
        }, ct);

    public Task<LogRecord?> AppendLogAsync(JobId id, long epoch, long seq, int attempt, string stream, string text, DateTimeOffset at, CancellationToken ct) =>
        db.WriteAsync<LogRecord?>(async (c, tx) =>
        {
            var rows = await ExecAsync(c, tx, """
                INSERT OR IGNORE INTO log_chunks(job_id, epoch, seq, attempt, stream, text, at)
                VALUES ($id, $epoch, $seq, $attempt, $stream, $text, $at)
                """, ct, ("$id", id.ToString()), ("$epoch", epoch), ("$seq", seq), ("$attempt", attempt),
                ("$stream", stream), ("$text", text), ("$at", Time(at)));
            if (rows == 0)
                return null;
            var rowId = await ScalarLongAsync(c, tx, "SELECT last_insert_rowid()", ct);
            return new LogRecord(rowId, id, attempt, stream, text, at);
        }, ct);

    public async Task<IReadOnlyList<LogRecord>> ReadLogsAsync(JobId id, long afterId, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var cmd = Command(c, null, """
            SELECT id, attempt, stream, text, at FROM log_chunks WHERE job_id = $id AND id > $after ORDER BY id LIMIT $limit
            """, ("$id", id.ToString()), ("$after", afterId), ("$limit", limit));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<LogRecord>();
        while (await r.ReadAsync(ct))
            list.Add(new LogRecord(r.GetInt64(0), id, r.GetInt32(1), r.GetString(2), r.GetString(3), ParseTime(r.GetString(4))));
        return list;
    }

    public Task GrantContentAsync(Cid cid, Address address, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await GrantAsync(c, tx, cid, address, ct);
            return 0;
        }, ct);

    public async Task<bool> CanReadContentAsync(Cid cid, Address address, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await ScalarLongAsync(c, null, "SELECT COUNT(*) FROM content_grants WHERE cid = $cid AND address = $a", ct,
            ("$cid", cid.ToString()), ("$a", address.Value)) > 0;
    }

    private static Task GrantAsync(SqliteConnection c, SqliteTransaction? tx, Cid cid, Address address, CancellationToken ct) =>
        ExecAsync(c, tx, "INSERT OR IGNORE INTO content_grants(cid, address) VALUES ($cid, $a)", ct,
            ("$cid", cid.ToString()), ("$a", address.Value));

    private async Task<IReadOnlyList<Job>> LoadManyAsync(SqliteConnection c, IReadOnlyList<JobId> ids, CancellationToken ct)
    {
        var jobs = new List<Job>(ids.Count);
        foreach (var id in ids)
        {
            if (await LoadJobAsync(c, null, id, ct) is { } job)
                jobs.Add(job);
        }
        return jobs;
    }

    private static async Task<Job?> LoadJobAsync(SqliteConnection c, SqliteTransaction? tx, JobId id, CancellationToken ct)
    {
        string requester, name, specText, state, created, updated, kind;
        int? exit, planned;
        string? reason, groupOf, verdict, authorization;
        int replica;
        await using (var cmd = Command(c, tx, """
            SELECT requester, name, spec, state, created_at, updated_at, exit_code, reason, group_of, replica, kind, planned_replicas,
              verdict, authorization
            FROM jobs WHERE id = $id
            """, ("$id", id.ToString())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
                return null;
            (requester, name, specText, state, created, updated) =
                (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5));
            exit = r.IsDBNull(6) ? null : r.GetInt32(6);
            reason = r.IsDBNull(7) ? null : r.GetString(7);
            groupOf = r.IsDBNull(8) ? null : r.GetString(8);
            replica = r.GetInt32(9);
            kind = r.GetString(10);
            planned = r.IsDBNull(11) ? null : r.GetInt32(11);
            verdict = r.IsDBNull(12) ? null : r.GetString(12);
            authorization = r.IsDBNull(13) ? null : r.GetString(13);
        }

        var inputs = new List<ResolvedInput>();
        await using (var cmd = Command(c, tx, "SELECT path, cid FROM job_inputs WHERE job_id = $id ORDER BY path", ("$id", id.ToString())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                inputs.Add(new ResolvedInput(r.GetString(0), Cid.Parse(r.GetString(1))));
        }

        var attempts = new List<Attempt>();
        await using (var cmd = Command(c, tx, """
            SELECT attempt, epoch, provider, state, assigned_at, started_at, finished_at, exit_code, reason, wall_ms, cpu_ms, peak_memory,
              price_per_hour
            FROM attempts WHERE job_id = $id ORDER BY attempt
            """, ("$id", id.ToString())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                Usage? usage = r.IsDBNull(9) ? null : new Usage(
                    TimeSpan.FromMilliseconds(r.GetInt64(9)),
                    TimeSpan.FromMilliseconds(r.IsDBNull(10) ? 0 : r.GetInt64(10)),
                    r.IsDBNull(11) ? 0 : r.GetInt64(11));
                _ = JobStateMachine.TryParseWire(r.GetString(3), out var attemptState);
                attempts.Add(new Attempt(
                    r.GetInt32(0), r.GetInt64(1), Address.Parse(r.GetString(2)), attemptState,
                    ParseTime(r.GetString(4)),
                    r.IsDBNull(5) ? null : ParseTime(r.GetString(5)),
                    r.IsDBNull(6) ? null : ParseTime(r.GetString(6)),
                    r.IsDBNull(7) ? null : r.GetInt32(7),
                    r.IsDBNull(8) ? null : r.GetString(8),
                    usage,
                    r.IsDBNull(12) ? null : TokenAmount.FromBaseUnits(r.GetInt64(12))));
            }
        }

        var outputs = new List<OutputFile>();
        await using (var cmd = Command(c, tx, "SELECT path, cid, size FROM job_outputs WHERE job_id = $id ORDER BY path", ("$id", id.ToString())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                outputs.Add(new OutputFile(r.GetString(0), Cid.Parse(r.GetString(1)), r.GetInt64(2)));
        }

        var spec = ParseStored(id, specText);
        _ = JobStateMachine.TryParseWire(state, out var jobState);
        return new Job(id, Address.Parse(requester), name, specText, spec, jobState, ParseTime(created), ParseTime(updated),
            exit, reason, inputs, attempts, outputs)
        {
            GroupOf = groupOf is null ? null : JobId.Parse(groupOf),
            Replica = replica,
            Kind = ParseKind(kind),
            PlannedReplicas = planned,
            Verdict = verdict,
            Authorization = ParseAuthorization(id, authorization),
        };
    }

    // Every load needs the parsed spec, and parsing YAML costs far more than the row reads: matching rounds load
    // every queued and running job, so a busy book would spend its time in the parser. Specs are immutable once
    // stored, so a cache keyed by the text is always right; it is dropped whole when it grows past its bound.
    private const int MaxParsedSpecs = 10_000;
    private static readonly ConcurrentDictionary<string, JobSpec> ParsedSpecs = new(StringComparer.Ordinal);

    private static JobSpec ParseStored(JobId id, string specText)
    {
        if (ParsedSpecs.TryGetValue(specText, out var cached))
            return cached;
        var parsed = JobSpecParser.Parse(specText, "job.yaml");
        var spec = parsed.Spec ?? throw new InvalidDataException($"stored spec of job {id} no longer parses: {parsed.Errors[0]}");
        if (ParsedSpecs.Count >= MaxParsedSpecs)
            ParsedSpecs.Clear();
        ParsedSpecs[specText] = spec;
        return spec;
    }

    private static async Task<IReadOnlyList<JobId>> QueryIdsAsync(SqliteConnection c, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var ids = new List<JobId>();
        while (await r.ReadAsync(ct))
        {
            if (JobId.TryParse(r.GetString(0), out var id))
                ids.Add(id);
        }
        return ids;
    }

    private static async Task<long> ScalarLongAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

}
