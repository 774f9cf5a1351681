using System.Reflection;
using OpenGrid.Core;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

/// <summary>Every stable error code has the exit code docs/api.md and docs/cli.md promise.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly TempDir _dir = new("og-exit");

    /// <summary>The table of docs/api.md: code, HTTP status, CLI exit.</summary>
    private static readonly (string Code, int Status, int Exit)[] ApiTable =
    [
        (ErrorCodes.RequestInvalid, 400, 2),
        (ErrorCodes.SpecInvalid, 422, 2),
        (ErrorCodes.SpecUnsatisfiable, 422, 2),
        (ErrorCodes.InputMissing, 422, 2),
        (ErrorCodes.AuthRequired, 401, 4),
        (ErrorCodes.AuthInvalidSignature, 401, 4),
        (ErrorCodes.AuthChallengeExpired, 401, 4),
        (ErrorCodes.Forbidden, 403, 4),
        (ErrorCodes.JobNotFound, 404, 3),
        (ErrorCodes.ContentNotFound, 404, 3),
        (ErrorCodes.ContentInvalidCid, 400, 2),
        (ErrorCodes.JobNotCancellable, 409, 6),
        (ErrorCodes.JobNotFinished, 409, 6),
        (ErrorCodes.ContentTooLarge, 413, 2),
        (ErrorCodes.ContentIncomplete, 400, 7),
        (ErrorCodes.ContentCorrupt, 502, 7),
        (ErrorCodes.LeaseNotYours, 403, 1), // provider-only codes: a generic failure if a requester ever sees one
        (ErrorCodes.LeaseStaleEpoch, 409, 1),
        (ErrorCodes.EscrowInsufficient, 402, 8),
        (ErrorCodes.EscrowAuthorizationMissing, 402, 4),
        (ErrorCodes.EscrowAuthorizationInvalid, 422, 4),
        (ErrorCodes.EscrowAuthorizationInsufficient, 402, 8),
        // A job's failure reason when its authorization is used up; over HTTP it would read as below.
        (ErrorCodes.EscrowAuthorizationExhausted, 402, 8),
        (ErrorCodes.ChainNotConfigured, 404, 3),
        (ErrorCodes.ChainUnavailable, 503, 1),
        (ErrorCodes.ChainTxInvalid, 400, 2),
        (ErrorCodes.ChainTxNotYours, 403, 4),
        (ErrorCodes.ChainTxRefused, 422, 2),
        (ErrorCodes.ChainTxRejected, 422, 1),
        (ErrorCodes.ChainTxReverted, 422, 1),
        // Receipt codes answer a provider's job_finished over the gateway; over HTTP they would read as below.
        (ErrorCodes.ReceiptBadSignature, 422, 1),
        (ErrorCodes.ReceiptStaleEpoch, 409, 1),
        (ErrorCodes.ReceiptWrongSpec, 422, 1),
        (ErrorCodes.ReceiptReplayed, 409, 1),
        (ErrorCodes.ReceiptChainBroken, 409, 1),
    ];

    public static TheoryData<string, int, int> Table()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var (code, status, exit) in ApiTable)
            data.Add(code, status, exit);
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_error_code_maps_to_its_exit_code(string code, int status, int exit)
    {
        _ = status;
        Assert.Equal(exit, ExitCodes.ForErrorCode(code));
    }

    [Fact]
    public void The_table_covers_every_error_code()
    {
        var all = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order();

        Assert.Equal(all, ApiTable.Select(row => row.Code).Order());
    }

    [Theory]
    [MemberData(nameof(Table))]
    public async Task A_coordinator_error_is_one_line_naming_the_code_and_exits_with_its_exit_code(string code, int status, int exit)
    {
        var fake = new FakeCoordinator();
        fake.Problem("GET v1/jobs/j1", status, code);
        var og = new OgRunner(_dir.Path, _dir.Combine("home")) { Coordinator = fake }
            .WithVariable(CliEnvironment.CoordinatorVariable, FakeCoordinator.Url.ToString());

        var result = await og.RunAsync("status", "j1");

        Assert.Equal((exit, $"og: the coordinator says {code} ({code})\n"), (result.ExitCode, result.Stderr.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task An_unreachable_coordinator_exits_5()
    {
        var og = new OgRunner(_dir.Path, _dir.Combine("home")) { Coordinator = new UnreachableCoordinator() }
            .WithVariable(CliEnvironment.CoordinatorVariable, FakeCoordinator.Url.ToString());

        var result = await og.RunAsync("jobs");

        Assert.Equal(5, result.ExitCode);
        Assert.StartsWith("og: cannot reach the coordinator at http://coordinator.test/", result.Stderr);
    }

    [Theory]
    [InlineData("succeeded", null, 0)]
    [InlineData("succeeded", 0, 0)]
    [InlineData("failed", 3, 3)]
    [InlineData("failed", 0, 1)]
    [InlineData("failed", null, 1)]
    [InlineData("failed", -9, 1)]
    [InlineData("timed_out", null, 124)]
    [InlineData("cancelled", null, 130)]
    public void A_followed_job_exits_with_its_status(string state, int? exitCode, int expected) =>
        Assert.Equal(expected, ExitCodes.ForJobEnd(state, exitCode));

    public void Dispose() => _dir.Dispose();

    private sealed class UnreachableCoordinator : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused");
    }
}
