using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace OpenGrid.Chain.Tests.Evm;

// ABI of contracts/test/MaliciousToken.sol (test only): an ERC20 whose transfers call back into a target.

public sealed class MaliciousTokenDeployment()
    : ContractDeploymentMessage(ContractArtifact.Load("MaliciousToken", typeof(MaliciousTokenDeployment).Assembly).Bytecode);

[Function("arm")]
public sealed class ArmFunction : FunctionMessage
{
    [Parameter("address", "target", 1)] public string Target { get; set; } = "";
    [Parameter("bytes", "data", 2)] public byte[] Data { get; set; } = [];
}

[Function("execute", "bytes")]
public sealed class ExecuteFunction : FunctionMessage
{
    [Parameter("address", "target", 1)] public string Target { get; set; } = "";
    [Parameter("bytes", "data", 2)] public byte[] Data { get; set; } = [];
}

[Function("hookCalled", "bool")]
public sealed class HookCalledFunction : FunctionMessage;

[Function("hookSucceeded", "bool")]
public sealed class HookSucceededFunction : FunctionMessage;

[Function("hookReturnData", "bytes")]
public sealed class HookReturnDataFunction : FunctionMessage;
