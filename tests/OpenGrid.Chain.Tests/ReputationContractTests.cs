using OpenGrid.Chain.Access;
using OpenGrid.Chain.Reputation;
using OpenGrid.Chain.Tests.Evm;
using static OpenGrid.Chain.Tests.Evm.EscrowWorld;

namespace OpenGrid.Chain.Tests;

/// <summary>ReputationRegistry, in-process on Nethereum.EVM.</summary>
public class ReputationContractTests
{
    private static readonly byte[] Evidence = Enumerable.Repeat((byte)0xee, 32).ToArray();

    [Fact]
    public async Task Constructor_rejects_a_zero_admin()
    {
        var chain = new EvmChain();
        Revert.Is(await Assert.ThrowsAsync<ContractRevertException>(() =>
            chain.DeployAsync(chain.NewAccount(), new ReputationRegistryDeployment { Admin = ChainAddress.Zero })), "ZeroAddress");
    }

    [Fact]
    public async Task A_validator_sets_a_score_that_anyone_can_read_and_ScoreSet_is_emitted()
    {
        var w = await CreateAsync();
        Assert.Equal(0u, await w.Chain.CallAsync<ScoreOfFunction, uint>(w.Reputation, new() { Provider = w.Provider }));
        var set = (await w.Chain.SendAsync(w.Coordinator, w.Reputation, new SetScoreFunction { Provider = w.Provider, Score = 9_500, Evidence = Evidence }))
            .Event<ScoreSetEvent>();

        Revert.SameAddress(w.Provider, set.Provider);
        Revert.SameAddress(w.Coordinator, set.Validator);
        Assert.Equal(9_500u, set.Score);
        Assert.Equal(Evidence, set.Evidence);
        Assert.Equal(9_500u, await w.Chain.CallAsync<ScoreOfFunction, uint>(w.Reputation, new() { Provider = w.Provider }));
        var score = await w.Chain.CallDtoAsync<ScoresFunction, ScoreOutput>(w.Reputation, new() { Provider = w.Provider });
        Assert.Equal((9_500u, (ulong)w.Chain.Timestamp), (score.Value, score.UpdatedAt));
        Assert.Equal(Evidence, score.Evidence);
    }

    [Fact]
    public async Task SetScores_writes_a_batch_and_emits_one_event_per_provider()
    {
        var w = await CreateAsync();
        var tx = await w.Chain.SendAsync(w.Coordinator, w.Reputation, new SetScoresFunction
        {
            Providers = [w.Provider, w.Provider2], Values = [1, 2], Evidence = [Evidence, Evidence],
        });
        Assert.Equal([1u, 2u], tx.Events<ScoreSetEvent>().Select(e => e.Score));
        Assert.Equal(2u, await w.Chain.CallAsync<ScoreOfFunction, uint>(w.Reputation, new() { Provider = w.Provider2 }));
    }

    [Fact]
    public async Task Only_validators_write_scores()
    {
        var w = await CreateAsync();
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Reputation, new SetScoreFunction { Provider = w.Provider, Score = 10_000, Evidence = Evidence }),
            "AccessControlUnauthorizedAccount", w.Provider, Roles.Validator);
        Revert.Is(await w.Chain.RevertsAsync(w.Provider, w.Reputation, new SetScoresFunction { Providers = [w.Provider], Values = [1], Evidence = [Evidence] }),
            "AccessControlUnauthorizedAccount", w.Provider, Roles.Validator);
    }

    [Fact]
    public async Task Scores_reject_a_zero_provider_and_mismatched_batches()
    {
        var w = await CreateAsync();
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Reputation, new SetScoreFunction { Provider = ChainAddress.Zero, Score = 1, Evidence = Evidence }), "ZeroAddress");
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Reputation, new SetScoresFunction { Providers = [w.Provider], Values = [1, 2], Evidence = [Evidence] }),
            "LengthMismatch", 1, 2, 1);
        Revert.Is(await w.Chain.RevertsAsync(w.Coordinator, w.Reputation, new SetScoresFunction { Providers = [w.Provider], Values = [1], Evidence = [] }),
            "LengthMismatch", 1, 1, 0);
    }
}
