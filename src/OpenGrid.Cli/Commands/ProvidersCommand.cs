using System.CommandLine;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og providers</c>: the machines on the grid.</summary>
internal static class ProvidersCommand
{
    public static Command Create(CliContext ctx)
    {
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("providers",
            "List the providers on the grid and what they offer.")
        {
            json, coordinator,
        };
        CommandHelp.Describe(command,
            "List the providers the coordinator knows: address, name, state (idle, busy, offline), cores, memory, " +
            "GPUs, capabilities, what their sandbox enforces (runtime, cgroup version and the enforced limits) and " +
            "the job each is running.");
        CommandHelp.Examples(command,
            "og providers",
            "og providers --json | jq '.providers[] | {name, state}'");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var list = await client.ListProvidersAsync(ct);
            if (parseResult.GetValue(json))
                JsonOutput.Write(ctx.Stdout, list, OpenGridJsonContext.Default.ProviderListView);
            else if (list.Providers.Count == 0)
                ctx.Stdout.WriteLine("no providers yet: start one with og provider start");
            else
                ProviderPrinter.Write(ctx.Stdout, list.Providers);
            return ExitCodes.Ok;
        });
        return command;
    }
}
