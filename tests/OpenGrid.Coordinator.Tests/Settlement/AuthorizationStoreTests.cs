using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>A job's authorization is stored with it (SQLite column <c>jobs.authorization</c>), exactly as it was signed.</summary>
public sealed class AuthorizationStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly EscrowDomain Domain = new(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"));
    private readonly TempDir _dir = new("opengrid-authorization-store");

    [Fact]
    public async Task A_jobs_authorization_survives_a_restart_and_a_job_without_one_has_none()
    {
        var signed = Job(authorized: true);
        var unpaid = Job(authorized: false);
        var first = await OpenAsync();
        await first.InsertJobAsync(signed, None);
        await first.InsertJobAsync(unpaid, None);

        var second = await OpenAsync();
        var loaded = (await second.GetJobAsync(signed.Id, None))!.Authorization!;

        Assert.Equal(signed.Authorization!.ToView(), loaded.ToView());
        Assert.Equal(signed.Requester, JobAuthorizationSigning.RecoverSigner(loaded, Domain));
        Assert.Null((await second.GetJobAsync(unpaid.Id, None))!.Authorization);
    }

    [Fact]
    public async Task A_database_from_before_authorizations_gains_the_column_and_keeps_its_jobs()
    {
        var old = Job(authorized: false);
        var store = await OpenAsync();
        await store.InsertJobAsync(old, None);
        await using (var c = await SqliteDatabase.ForFile(File).OpenAsync(None))
        await using (var drop = c.CreateCommand())
        {
            drop.CommandText = "ALTER TABLE jobs DROP COLUMN authorization"; // the schema before this change
            await drop.ExecuteNonQueryAsync(None);
        }

        var upgraded = await OpenAsync();
        var signed = Job(authorized: true);
        await upgraded.InsertJobAsync(signed, None);

        Assert.Null((await upgraded.GetJobAsync(old.Id, None))!.Authorization);
        Assert.NotNull((await upgraded.GetJobAsync(signed.Id, None))!.Authorization);
    }

    private string File => _dir.Combine("coordinator.db");

    private async Task<SqliteJobStore> OpenAsync()
    {
        var store = SqliteJobStore.ForFile(File);
        await store.InitializeAsync(None);
        return store;
    }

    private static Job Job(bool authorized)
    {
        var requester = Identity.Generate();
        var text = JobSpecs.Shell("stored", "true");
        var spec = JobSpecParser.Parse(text, "job.yaml").Spec!;
        var now = DateTimeOffset.UtcNow;
        return new Job(JobId.New(TimeProvider.System), requester.Address, spec.Name, text, spec, JobState.Queued, now, now, null, null, [], [], [])
        {
            Authorization = authorized ? JobAuthorizer.Create(text, spec, Domain, 2, requester, now) : null,
        };
    }

    public void Dispose() => _dir.Dispose();
}
