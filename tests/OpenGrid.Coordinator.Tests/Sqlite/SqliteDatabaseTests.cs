using OpenGrid.Coordinator.Persistence;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Sqlite;

public sealed class SqliteDatabaseTests
{
    [Theory]
    [InlineData(false, 1L)] // NORMAL
    [InlineData(true, 2L)] // FULL
    public async Task Every_connection_commits_with_the_durability_the_store_was_opened_with(bool fullSync, long expected)
    {
        using var dir = new TempDir("opengrid-sqlite-sync");
        var db = SqliteDatabase.ForFile(Path.Combine(dir.Path, "coordinator.db"), fullSync);

        foreach (var _ in Enumerable.Range(0, 3)) // pooled connections too
        {
            await using var c = await db.OpenAsync(CancellationToken.None);
            await using var cmd = SqliteDatabase.Command(c, null, "PRAGMA synchronous;");
            Assert.Equal(expected, (long)(await cmd.ExecuteScalarAsync())!);
        }
    }
}
