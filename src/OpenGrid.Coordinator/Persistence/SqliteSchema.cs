namespace OpenGrid.Coordinator.Persistence;

/// <summary>The SQLite schema. Idempotent: applied at every start.</summary>
internal static class SqliteSchema
{
    /// <summary>Columns added after a table was first created; each added when missing.</summary>
    private static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        ("jobs", "not_before", "TEXT"),
        ("attempts", "price_per_hour", "INTEGER"),
        ("jobs", "group_of", "TEXT"),
        ("jobs", "replica", "INTEGER NOT NULL DEFAULT 0"),
        ("jobs", "kind", "TEXT NOT NULL DEFAULT 'requested'"),
        ("jobs", "planned_replicas", "INTEGER"),
        ("jobs", "verdict", "TEXT"),
        ("jobs", "authorization", "TEXT"),
    ];

    /// <summary>Indexes over added columns, created after the columns exist.</summary>
    public const string AddedIndexes = """
        CREATE INDEX IF NOT EXISTS jobs_by_group ON jobs(group_of, replica);
        """;

    public static async Task MigrateAsync(Microsoft.Data.Sqlite.SqliteConnection c, CancellationToken ct)
    {
        foreach (var (table, column, type) in AddedColumns)
        {
            await using var check = c.CreateCommand();
            check.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
            if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0)
                continue;
            await using var alter = c.CreateCommand();
            alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {type}";
            await alter.ExecuteNonQueryAsync(ct);
        }
    }

    public const string V1 = """
        CREATE TABLE IF NOT EXISTS jobs(
          id TEXT PRIMARY KEY,
          requester TEXT NOT NULL,
          name TEXT NOT NULL,
          spec TEXT NOT NULL,
          state TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          exit_code INTEGER,
          reason TEXT,
          next_epoch INTEGER NOT NULL,
          not_before TEXT);
        CREATE INDEX IF NOT EXISTS jobs_by_requester ON jobs(requester, created_at);
        CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, created_at);
        CREATE TABLE IF NOT EXISTS job_inputs(
          job_id TEXT NOT NULL REFERENCES jobs(id),
          path TEXT NOT NULL,
          cid TEXT NOT NULL,
          PRIMARY KEY(job_id, path));
        CREATE TABLE IF NOT EXISTS attempts(
          job_id TEXT NOT NULL REFERENCES jobs(id),
          attempt INTEGER NOT NULL,
          epoch INTEGER NOT NULL,
          provider TEXT NOT NULL,
          state TEXT NOT NULL,
          assigned_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT,
          exit_code INTEGER,
          reason TEXT,
          wall_ms INTEGER,
          cpu_ms INTEGER,
          peak_memory INTEGER,
          price_per_hour INTEGER,
          PRIMARY KEY(job_id, attempt),
          UNIQUE(job_id, epoch));
        CREATE INDEX IF NOT EXISTS attempts_by_provider ON attempts(provider, state);
        CREATE TABLE IF NOT EXISTS job_outputs(
          job_id TEXT NOT NULL REFERENCES jobs(id),
          path TEXT NOT NULL,
          cid TEXT NOT NULL,
          size INTEGER NOT NULL,
          PRIMARY KEY(job_id, path));
        CREATE TABLE IF NOT EXISTS log_chunks(
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id TEXT NOT NULL REFERENCES jobs(id),
          epoch INTEGER NOT NULL,
          seq INTEGER NOT NULL,
          attempt INTEGER NOT NULL,
          stream TEXT NOT NULL,
          text TEXT NOT NULL,
          at TEXT NOT NULL,
          UNIQUE(job_id, epoch, seq));
        CREATE TABLE IF NOT EXISTS providers(
          address TEXT PRIMARY KEY,
          draining INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS content_grants(
          cid TEXT NOT NULL,
          address TEXT NOT NULL,
          PRIMARY KEY(cid, address));
        """;

    /// <summary>
    /// Settlement: one row per on-chain action (intent) of an attempt's escrow lease, written before it is sent, and
    /// when settlement was first switched on (attempts assigned before that are not settled). <c>seq</c> numbers the
    /// releases of one lease (a streaming lease pays per interval); it is 0 for every other action.
    /// </summary>
    public const string Settlement = """
        CREATE TABLE IF NOT EXISTS settlement_intents(
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id TEXT NOT NULL,
          attempt INTEGER NOT NULL,
          action TEXT NOT NULL,
          seq INTEGER NOT NULL DEFAULT 0,
          lease_id TEXT NOT NULL,
          requester TEXT NOT NULL,
          provider TEXT NOT NULL,
          rate_per_hour INTEGER NOT NULL,
          cap INTEGER NOT NULL,
          seconds INTEGER NOT NULL,
          mode TEXT NOT NULL,
          state TEXT NOT NULL,
          failures INTEGER NOT NULL DEFAULT 0,
          next_try_at TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          tx_hash TEXT,
          gas_used INTEGER,
          note TEXT,
          UNIQUE(job_id, attempt, action, seq));
        CREATE INDEX IF NOT EXISTS settlement_intents_by_state ON settlement_intents(state, id);
        CREATE TABLE IF NOT EXISTS settlement_meta(
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL);
        """;

    /// <summary>
    /// Before a lease could have several releases, intents were unique on (job, attempt, action). SQLite cannot change a
    /// table's UNIQUE constraint in place, so a file of that age has its table rebuilt once: renamed, created anew from
    /// <see cref="Settlement"/>, every row copied with seq 0, the old table dropped — in one transaction.
    /// </summary>
    public static async Task MigrateSettlementAsync(Microsoft.Data.Sqlite.SqliteConnection c, CancellationToken ct)
    {
        await using (var check = c.CreateCommand())
        {
            check.CommandText = """
                SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'settlement_intents'),
                       (SELECT COUNT(*) FROM pragma_table_info('settlement_intents') WHERE name = 'seq')
                """;
            await using var r = await check.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            if (r.GetInt64(0) == 0 || r.GetInt64(1) > 0)
                return;
        }
        const string columns = """
            id, job_id, attempt, action, lease_id, requester, provider, rate_per_hour, cap, seconds, mode, state, failures,
            next_try_at, created_at, updated_at, tx_hash, gas_used, note
            """;
        await using var tx = (Microsoft.Data.Sqlite.SqliteTransaction)await c.BeginTransactionAsync(ct);
        await using (var rebuild = c.CreateCommand())
        {
            rebuild.Transaction = tx;
            rebuild.CommandText = $"""
                ALTER TABLE settlement_intents RENAME TO settlement_intents_before_seq;
                DROP INDEX IF EXISTS settlement_intents_by_state;
                {Settlement}
                INSERT INTO settlement_intents({columns}, seq) SELECT {columns}, 0 FROM settlement_intents_before_seq;
                DROP TABLE settlement_intents_before_seq;
                """;
            await rebuild.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Trust: each provider's reputation as of a time, its streak of valid results per job class, and the events that
    /// moved them, one per (provider, job, event) so a verdict applied twice counts once; and the known-answer jobs
    /// harvested from donated jobs (by content key: runtime, inputs, outputs), with the providers that reproduced them.
    /// </summary>
    public const string Trust = """
        CREATE TABLE IF NOT EXISTS provider_standing(
          address TEXT PRIMARY KEY,
          score REAL NOT NULL,
          at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS provider_streaks(
          address TEXT NOT NULL,
          job_class TEXT NOT NULL,
          streak INTEGER NOT NULL,
          PRIMARY KEY(address, job_class));
        CREATE TABLE IF NOT EXISTS trust_events(
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          provider TEXT NOT NULL,
          job_id TEXT NOT NULL,
          event TEXT NOT NULL,
          job_class TEXT NOT NULL,
          score_after REAL NOT NULL,
          at TEXT NOT NULL,
          UNIQUE(provider, job_id, event));
        CREATE INDEX IF NOT EXISTS trust_events_by_provider ON trust_events(provider, id);
        CREATE TABLE IF NOT EXISTS harvested_canaries(
          key TEXT PRIMARY KEY,
          job_class TEXT NOT NULL,
          spec TEXT NOT NULL,
          expected TEXT NOT NULL,
          reproduced_by TEXT NOT NULL,
          source_job TEXT NOT NULL,
          created_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS harvested_canaries_by_class ON harvested_canaries(job_class);
        """;

    /// <summary>Receipts: every accepted receipt, in acceptance order (seq); a provider's head is its latest.</summary>
    public const string Receipts = """
        CREATE TABLE IF NOT EXISTS receipts(
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id TEXT NOT NULL,
          attempt INTEGER NOT NULL,
          epoch INTEGER NOT NULL,
          provider TEXT NOT NULL,
          hash TEXT NOT NULL UNIQUE,
          prev_hash TEXT NOT NULL,
          receipt TEXT NOT NULL,
          signature TEXT NOT NULL,
          inputs TEXT NOT NULL,
          outputs TEXT NOT NULL,
          accepted_at TEXT NOT NULL,
          UNIQUE(job_id, epoch));
        CREATE INDEX IF NOT EXISTS receipts_by_provider ON receipts(provider, seq);
        """;
}
