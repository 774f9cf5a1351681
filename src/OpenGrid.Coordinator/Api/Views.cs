using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>Maps domain records to wire views at the API edge.</summary>
public static class Views
{
    public static JobView ToView(this Job job, IReadOnlyList<Job>? group = null) => new(
        job.Id.ToString(),
        job.Name,
        job.State.ToWire(),
        job.Requester.Value,
        job.CreatedAt,
        job.UpdatedAt,
        job.CurrentAttempt?.Provider.Value,
        job.ExitCode,
        job.Reason,
        new ResourcesView(job.Spec.Resources.CpuMillis, job.Spec.Resources.MemoryBytes, job.Spec.Resources.DiskBytes,
            job.Spec.Resources.Gpu.Count, (long)job.Spec.Limits.Timeout.TotalSeconds),
        job.Inputs.Select(i => new InputView(i.Path, i.Cid.ToString())).ToList(),
        job.Attempts.Select(a => new AttemptView(a.Number, a.Epoch, a.Provider.Value, a.State.ToWire(), a.AssignedAt,
            a.StartedAt, a.FinishedAt, a.ExitCode, a.Reason,
            a.Usage is { } u ? new UsageView(u.Wall.TotalSeconds, u.Cpu.TotalSeconds, u.PeakMemoryBytes) : null,
            a.PricePerHour?.ToString())).ToList(),
        job.Outputs.Select(o => new OutputFileView(o.Path, o.Cid.ToString(), o.Size)).ToList(),
        job.Kind switch { JobKind.Replica => "replica", JobKind.Canary => "canary", _ => "requested" },
        job.GroupOf?.ToString(),
        group?.Select(m => new ReplicaView(m.Replica, m.Id.ToString(), m.State.ToWire(),
            (m.Attempts.LastOrDefault(a => a.State == JobState.Succeeded) ?? m.CurrentAttempt)?.Provider.Value, m.Verdict,
            m.Outputs.Select(o => new OutputFileView(o.Path, o.Cid.ToString(), o.Size)).ToList())).ToList());

    public static LogChunkView ToView(this LogRecord r) => new(r.Id, r.Attempt, r.Stream, r.Text, r.At);

    public static ProviderView ToView(this ProviderSession s, string state, IReadOnlyList<Job> active, double reputation) => new(
        s.Address.Value, s.Hello.Name, state, s.LastSeen, s.Hello.Hardware, s.Hello.Capabilities, s.Hello.Sandbox,
        active.Count > 0 ? active[0].Id.ToString() : null, s.Hello.Terms, active.Select(j => j.Id.ToString()).ToList(), reputation,
        new LeasedView(active.Sum(j => j.Spec.Resources.CpuMillis), active.Sum(j => j.Spec.Resources.MemoryBytes),
            active.Sum(j => j.Spec.Resources.DiskBytes), active.Sum(j => j.Spec.Resources.Gpu.Count)));
}
