using System.Text.Json;
using System.Text.Json.Serialization;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Protocol;

/// <summary>The one JSON shape of every OpenGrid wire type: camelCase, nulls omitted, source-generated.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(ChallengeRequest))]
[JsonSerializable(typeof(ChallengeResponse))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(SubmitJobRequest))]
[JsonSerializable(typeof(JobAuthorizationView))]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(ReputationView))]
[JsonSerializable(typeof(JobListView))]
[JsonSerializable(typeof(ContentPutResponse))]
[JsonSerializable(typeof(ProviderView))]
[JsonSerializable(typeof(ProviderListView))]
[JsonSerializable(typeof(LogChunkView))]
[JsonSerializable(typeof(IReadOnlyList<LogChunkView>))]
[JsonSerializable(typeof(JobEndView))]
[JsonSerializable(typeof(InfoView))]
[JsonSerializable(typeof(DrainRequest))]
[JsonSerializable(typeof(DrainView))]
[JsonSerializable(typeof(PlanRequest))]
[JsonSerializable(typeof(PlanView))]
[JsonSerializable(typeof(MarketView))]
[JsonSerializable(typeof(ChainView))]
[JsonSerializable(typeof(BalanceView))]
[JsonSerializable(typeof(ChainAccountView))]
[JsonSerializable(typeof(RelayTransactionRequest))]
[JsonSerializable(typeof(RelayedTransactionView))]
[JsonSerializable(typeof(BalanceHistoryView))]
[JsonSerializable(typeof(ProviderMessage))]
[JsonSerializable(typeof(CoordinatorMessage))]
[JsonSerializable(typeof(ProblemView))]
[JsonSerializable(typeof(ProofPack))]
[JsonSerializable(typeof(ReceiptView))]
[JsonSerializable(typeof(IReadOnlyList<InputView>))]
[JsonSerializable(typeof(IReadOnlyList<OutputFileView>))]
[JsonSerializable(typeof(ProofReport))]
public sealed partial class OpenGridJsonContext : JsonSerializerContext;

/// <summary>
/// RFC 9457 problem details as OpenGrid sends them: <c>code</c> is the stable error code; <c>errors</c> the spec's
/// errors (<c>spec.invalid</c>), <c>authorization</c> what a job authorization must cover (<c>escrow.authorization_*</c>).
/// </summary>
public sealed record ProblemView(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Code,
    IReadOnlyList<SpecErrorView>? Errors = null,
    AuthorizationTermsView? Authorization = null);

/// <summary>One spec error with its position: file, 1-based line and column, field path, message.</summary>
public sealed record SpecErrorView(string File, int Line, int Column, string Path, string Message);
