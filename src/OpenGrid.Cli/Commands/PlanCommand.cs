using System.CommandLine;
using OpenGrid.Cli.Jobs;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og plan job.yaml</c>: what a job would cost and who could run it, without submitting it.</summary>
internal static class PlanCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("job.yaml") { Description = "The job spec to plan." };
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("plan", "Show what a job would cost and which providers could run it.") { file, json, coordinator };
        CommandHelp.Describe(command,
            "Ask the coordinator's matcher about a spec without submitting it: the estimated cost range for the " +
            "job's full timeout (USDC), the providers that could take it now with their price per hour, and for every " +
            "other provider the first requirement it fails (e.g. gpu.count 1 > 0). Nothing is uploaded.");
        CommandHelp.Examples(command,
            "og plan examples/hello/job.yaml",
            "og plan examples/sdxl/job.yaml      # why no provider here can run it");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var spec = SpecFile.Load(ctx.Env, parseResult.GetValue(file)!);
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var plan = await client.PlanAsync(new PlanRequest(spec.Text, Path.GetFileName(spec.FullPath)), ct);
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(ctx.Stdout, plan, OpenGridJsonContext.Default.PlanView);
                return ExitCodes.Ok;
            }
            Write(ctx.Stdout, plan);
            return plan.Feasible.Count > 0 ? ExitCodes.Ok : ExitCodes.InvalidInput;
        });
        return command;
    }

    private static void Write(TextWriter w, PlanView plan)
    {
        if (plan.Feasible.Count > 0)
        {
            w.WriteLine($"{plan.Job}: {plan.Feasible.Count} provider(s) could run it now; cost for the full timeout {plan.CostMin}–{plan.CostMax} USDC");
            var table = new TextTable("PROVIDER", "NAME", "PRICE/HOUR", "FULL TIMEOUT");
            foreach (var p in plan.Feasible)
                table.Add(p.Provider, p.Name, p.PricePerHour, p.CostForTimeout);
            table.Write(w, "  ");
        }
        else
        {
            w.WriteLine($"{plan.Job}: no provider could run it now");
        }
        if (plan.Rejected.Count > 0)
        {
            w.WriteLine("not matched:");
            var table = new TextTable("PROVIDER", "NAME", "FIRST FAILED REQUIREMENT");
            foreach (var r in plan.Rejected)
                table.Add(r.Provider, r.Name, r.Reason);
            table.Write(w, "  ");
        }
    }
}
