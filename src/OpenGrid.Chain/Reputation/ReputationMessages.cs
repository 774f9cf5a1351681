using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace OpenGrid.Chain.Reputation;

// ABI of ReputationRegistry (contracts/ReputationRegistry.sol).

public sealed class ReputationRegistryDeployment() : ContractDeploymentMessage(ContractArtifact.ReputationRegistry.Bytecode)
{
    [Parameter("address", "admin", 1)] public string Admin { get; set; } = "";
}

[Function("setScore")]
public sealed class SetScoreFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
    [Parameter("uint32", "score", 2)] public uint Score { get; set; }
    [Parameter("bytes32", "evidence", 3)] public byte[] Evidence { get; set; } = [];
}

[Function("setScores")]
public sealed class SetScoresFunction : FunctionMessage
{
    [Parameter("address[]", "providers", 1)] public List<string> Providers { get; set; } = [];
    [Parameter("uint32[]", "values", 2)] public List<uint> Values { get; set; } = [];
    [Parameter("bytes32[]", "evidence", 3)] public List<byte[]> Evidence { get; set; } = [];
}

[Function("scoreOf", "uint32")]
public sealed class ScoreOfFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
}

[Function("scores", typeof(ScoreOutput))]
public sealed class ScoresFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
}

[FunctionOutput]
public sealed class ScoreOutput : IFunctionOutputDTO
{
    [Parameter("uint32", "value", 1)] public uint Value { get; set; }
    [Parameter("uint64", "updatedAt", 2)] public ulong UpdatedAt { get; set; }
    [Parameter("bytes32", "evidence", 3)] public byte[] Evidence { get; set; } = [];
}

[Event("ScoreSet")]
public sealed class ScoreSetEvent : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("uint32", "score", 2, false)] public uint Score { get; set; }
    [Parameter("bytes32", "evidence", 3, false)] public byte[] Evidence { get; set; } = [];
    [Parameter("address", "validator", 4, true)] public string Validator { get; set; } = "";
}
