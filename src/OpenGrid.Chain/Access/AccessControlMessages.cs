using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace OpenGrid.Chain.Access;

// OpenZeppelin AccessControl functions and events, shared by JobEscrow, ProviderRegistry and ReputationRegistry.

[Function("grantRole")]
public sealed class GrantRoleFunction : FunctionMessage
{
    [Parameter("bytes32", "role", 1)] public byte[] Role { get; set; } = [];
    [Parameter("address", "account", 2)] public string Account { get; set; } = "";
}

[Function("revokeRole")]
public sealed class RevokeRoleFunction : FunctionMessage
{
    [Parameter("bytes32", "role", 1)] public byte[] Role { get; set; } = [];
    [Parameter("address", "account", 2)] public string Account { get; set; } = "";
}

[Function("hasRole", "bool")]
public sealed class HasRoleFunction : FunctionMessage
{
    [Parameter("bytes32", "role", 1)] public byte[] Role { get; set; } = [];
    [Parameter("address", "account", 2)] public string Account { get; set; } = "";
}

[Event("RoleGranted")]
public sealed class RoleGrantedEvent : IEventDTO
{
    [Parameter("bytes32", "role", 1, true)] public byte[] Role { get; set; } = [];
    [Parameter("address", "account", 2, true)] public string Account { get; set; } = "";
    [Parameter("address", "sender", 3, true)] public string Sender { get; set; } = "";
}

[Event("RoleRevoked")]
public sealed class RoleRevokedEvent : IEventDTO
{
    [Parameter("bytes32", "role", 1, true)] public byte[] Role { get; set; } = [];
    [Parameter("address", "account", 2, true)] public string Account { get; set; } = "";
    [Parameter("address", "sender", 3, true)] public string Sender { get; set; } = "";
}
