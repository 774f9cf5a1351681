using OpenGrid.Protocol.Api;

namespace OpenGrid.Cli.Output;

/// <summary>Human views of jobs: the detail of one (<c>og status</c>) and a table of many (<c>og jobs</c>).</summary>
internal static class JobPrinter
{
    public static void WriteDetail(TextWriter w, JobView job)
    {
        var r = job.Resources;
        w.WriteLine($"job        {job.Id}");
        w.WriteLine($"name       {job.Name}");
        w.WriteLine($"state      {job.State}");
        if (job.Kind != "requested")
            w.WriteLine($"kind       {job.Kind}{(job.GroupOf is { } root ? $" of {root}" : "")}");
        w.WriteLine($"provider   {Formats.OrDash(job.Provider)}");
        w.WriteLine($"exit code  {job.ExitCode?.ToString() ?? "-"}");
        w.WriteLine($"reason     {Formats.OrDash(job.Reason)}");
        w.WriteLine($"created    {Formats.Time(job.CreatedAt)}");
        w.WriteLine($"updated    {Formats.Time(job.UpdatedAt)}");
        w.WriteLine($"resources  {Formats.Cpu(r.CpuMillis)}, {Formats.Bytes(r.MemoryBytes)} memory, {Formats.Bytes(r.DiskBytes)} disk, " +
                    $"{r.Gpus} GPU{(r.Gpus == 1 ? "" : "s")}, timeout {Formats.Duration(TimeSpan.FromSeconds(r.TimeoutSeconds))}");

        w.WriteLine();
        w.WriteLine(job.Inputs.Count == 0 ? "inputs: none" : "inputs:");
        if (job.Inputs.Count > 0)
        {
            var inputs = new TextTable("PATH", "CID");
            foreach (var input in job.Inputs)
                inputs.Add(input.Path, input.Cid);
            inputs.Write(w, "  ");
        }

        w.WriteLine(job.Attempts.Count == 0 ? "attempts: none yet" : "attempts:");
        if (job.Attempts.Count > 0)
        {
            var attempts = new TextTable("#", "EPOCH", "PROVIDER", "STATE", "ASSIGNED", "STARTED", "FINISHED", "EXIT", "WALL", "CPU", "PEAK MEM", "REASON");
            foreach (var a in job.Attempts)
                attempts.Add(
                    a.Attempt.ToString(), a.Epoch.ToString(), a.Provider, a.State,
                    Formats.Time(a.AssignedAt), Formats.Time(a.StartedAt), Formats.Time(a.FinishedAt),
                    a.ExitCode?.ToString() ?? "-",
                    a.Usage is { } u ? Formats.Seconds(u.WallSeconds) : "-",
                    a.Usage is { } c ? Formats.Seconds(c.CpuSeconds) : "-",
                    a.Usage is { } m ? Formats.Bytes(m.PeakMemoryBytes) : "-",
                    Formats.OrDash(a.Reason));
            attempts.Write(w, "  ");
        }

        if (job.Replicas is { Count: > 0 } replicas)
        {
            w.WriteLine("replicas (verification group; the job is replica 0):");
            var table = new TextTable("#", "JOB", "PROVIDER", "STATE", "VERDICT");
            foreach (var m in replicas)
                table.Add(m.Replica.ToString(), m.JobId, Formats.OrDash(m.Provider), m.State, Formats.OrDash(m.Verdict));
            table.Write(w, "  ");
        }

        w.WriteLine(job.Outputs.Count == 0 ? "outputs: none" : "outputs:");
        if (job.Outputs.Count > 0)
            WriteOutputs(w, job.Outputs, "  ");
    }

    public static void WriteOutputs(TextWriter w, IEnumerable<OutputFileView> outputs, string indent = "")
    {
        var table = new TextTable("PATH", "SIZE", "CID");
        foreach (var o in outputs)
            table.Add(o.Path, Formats.Bytes(o.Size), o.Cid);
        table.Write(w, indent);
    }

    public static void WriteTable(TextWriter w, IReadOnlyList<JobView> jobs)
    {
        var table = new TextTable("ID", "NAME", "STATE", "EXIT", "PROVIDER", "CREATED");
        foreach (var job in jobs)
            table.Add(job.Id, job.Name, job.State, job.ExitCode?.ToString() ?? "-", Formats.OrDash(job.Provider), Formats.Time(job.CreatedAt));
        table.Write(w);
    }
}
