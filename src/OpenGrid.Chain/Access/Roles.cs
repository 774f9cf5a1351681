using Nethereum.Util;

namespace OpenGrid.Chain.Access;

/// <summary>The OpenZeppelin AccessControl roles the contracts use (keccak256 of the role's name; a fresh copy each time).</summary>
public static class Roles
{
    /// <summary>Grants and revokes every other role (the deployer).</summary>
    public static byte[] DefaultAdmin => new byte[32];

    /// <summary>JobEscrow: opens, pays and closes leases (the coordinator's settlement worker).</summary>
    public static byte[] Operator => Hash("OPERATOR_ROLE");

    /// <summary>ProviderRegistry: slashes bonds.</summary>
    public static byte[] Verifier => Hash("VERIFIER_ROLE");

    /// <summary>ReputationRegistry: writes scores.</summary>
    public static byte[] Validator => Hash("VALIDATOR_ROLE");

    private static byte[] Hash(string role) => Sha3Keccack.Current.CalculateHash(System.Text.Encoding.ASCII.GetBytes(role));
}
