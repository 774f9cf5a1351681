using System.CommandLine;

namespace OpenGrid.Cli.Commands;

/// <summary>Options of the commands that sign transactions with the user's key.</summary>
internal static class PaymentOptions
{
    public static Option<string?> Rpc() => new("--rpc")
    {
        Description = "The chain's JSON-RPC URL. Default: the one the coordinator names (GET /v1/chain).",
        HelpName = "URL",
    };
}
