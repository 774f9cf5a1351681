using Nethereum.Web3;
using OpenGrid.Chain.Access;

namespace OpenGrid.Chain.Reputation;

/// <summary>A provider's on-chain score, when it was written, and the hash of its evidence.</summary>
public sealed record ProviderScore(uint Value, DateTimeOffset UpdatedAt, byte[] Evidence);

/// <summary>Typed client of ReputationRegistry.</summary>
public sealed class ReputationClient(IWeb3 web3, string address) : ContractClient(web3, address)
{
    public static async Task<ReputationClient> DeployAsync(IWeb3 web3, string admin, CancellationToken cancellationToken) =>
        new(web3, await DeployAsync(web3, new ReputationRegistryDeployment { Admin = admin }, cancellationToken).ConfigureAwait(false));

    /// <summary>Validator: writes one score.</summary>
    public Task<TxOutcome> SetScoreAsync(string provider, uint score, byte[] evidence, CancellationToken cancellationToken) =>
        SendAsync(new SetScoreFunction { Provider = provider, Score = score, Evidence = evidence }, cancellationToken);

    /// <summary>Validator: writes several scores in one transaction.</summary>
    public Task<TxOutcome> SetScoresAsync(IReadOnlyList<(string Provider, uint Score, byte[] Evidence)> scores, CancellationToken cancellationToken) =>
        SendAsync(new SetScoresFunction
        {
            Providers = scores.Select(s => s.Provider).ToList(),
            Values = scores.Select(s => s.Score).ToList(),
            Evidence = scores.Select(s => s.Evidence).ToList(),
        }, cancellationToken);

    /// <summary>Admin: lets <paramref name="account"/> write scores.</summary>
    public Task<TxOutcome> GrantValidatorAsync(string account, CancellationToken cancellationToken) =>
        SendAsync(new GrantRoleFunction { Role = Roles.Validator, Account = account }, cancellationToken);

    public async Task<ProviderScore> GetScoreAsync(string provider, CancellationToken cancellationToken)
    {
        var s = await QueryDtoAsync<ScoresFunction, ScoreOutput>(new() { Provider = provider }, cancellationToken).ConfigureAwait(false);
        return new ProviderScore(s.Value, DateTimeOffset.FromUnixTimeSeconds((long)s.UpdatedAt), s.Evidence);
    }
}
