using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// With payments on, publishes providers' reputations to the ReputationRegistry contract in batches: every
/// <c>Coordinator:Trust:PublishInterval</c> (default 5 minutes), one <c>setScores</c> transaction for the providers whose
/// score moved by at least 0.001 since it was last published. Scores go on chain in parts per million (0..1,000,000);
/// the evidence is the SHA-256 of the provider's latest trust event (provider, job, event, time), so anyone can match
/// an on-chain score to the coordinator's history (<c>GET /v1/providers/{address}/reputation</c>). Writing a score
/// twice is harmless, so a crash mid-batch needs no bookkeeping: the next batch writes it again.
/// </summary>
public sealed partial class ReputationPublisher(
    SettlementChain chain,
    TrustLedger trust,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    ILogger<ReputationPublisher> log) : BackgroundService
{
    /// <summary>The on-chain scale: a score of 1 is one million.</summary>
    public const uint Scale = 1_000_000;

    private const uint MinChange = Scale / 1000;
    private readonly Dictionary<Address, uint> _published = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!chain.Enabled)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.Trust.PublishInterval, time, stoppingToken);
                await PublishAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(e);
            }
        }
    }

    /// <summary>Writes the scores that moved since the last batch; returns how many.</summary>
    public async Task<int> PublishAsync(CancellationToken ct)
    {
        var batch = new List<(string Provider, uint Score, byte[] Evidence)>();
        foreach (var (provider, score) in await trust.ScoresAsync(ct))
        {
            var onChain = ToChain(score);
            if (_published.TryGetValue(provider, out var last) && Math.Abs((long)onChain - last) < MinChange)
                continue;
            var latest = (await trust.HistoryAsync(provider, 1, ct)).FirstOrDefault();
            var evidence = SHA256.HashData(Encoding.UTF8.GetBytes(
                latest is null ? provider.Value : $"{provider.Value}|{latest.Job}|{latest.Event}|{latest.At:O}"));
            batch.Add((provider.Value, onChain, evidence));
        }
        if (batch.Count == 0)
            return 0;
        var session = await chain.ConnectAsync(ct);
        var tx = await session.Contracts.Reputation.SetScoresAsync(batch, ct);
        foreach (var (provider, score, _) in batch)
            _published[Address.Parse(provider)] = score;
        LogPublished(batch.Count, tx.TransactionHash);
        return batch.Count;
    }

    /// <summary>A 0..1 score in parts per million, rounded to nearest.</summary>
    public static uint ToChain(double score) => (uint)Math.Round(Math.Clamp(score, 0, 1) * Scale, MidpointRounding.AwayFromZero);

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Count} provider reputation(s) to the ReputationRegistry ({TxHash})")]
    private partial void LogPublished(int count, string txHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing reputations to the chain failed; retrying next interval")]
    private partial void LogFailed(Exception e);
}
