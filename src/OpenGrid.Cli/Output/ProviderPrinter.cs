using OpenGrid.Protocol.Api;

namespace OpenGrid.Cli.Output;

/// <summary>Human view of providers (<c>og providers</c>): one block each, hardware to sandbox enforcement.</summary>
internal static class ProviderPrinter
{
    public static void Write(TextWriter w, IReadOnlyList<ProviderView> providers)
    {
        for (var i = 0; i < providers.Count; i++)
        {
            if (i > 0)
                w.WriteLine();
            var p = providers[i];
            var h = p.Hardware;
            w.WriteLine($"{p.Name}  {p.Address}  {p.State}");
            if (p.Reputation is { } reputation)
                w.WriteLine($"  reputation    {reputation.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} (0..1, neutral 0.5)");
            w.WriteLine($"  cpu           {h.Cores} cores, {Formats.OrDash(h.CpuModel)}");
            w.WriteLine($"  memory        {Formats.Bytes(h.MemoryBytes)}");
            w.WriteLine($"  disk          {Formats.Bytes(h.DiskBytes)}");
            w.WriteLine($"  gpus          {(h.Gpus.Count == 0 ? "none" : string.Join("; ", h.Gpus.Select(Gpu)))}");
            w.WriteLine($"  capabilities  {(p.Capabilities.Count == 0 ? "none" : string.Join(", ", p.Capabilities))}");
            w.WriteLine($"  sandbox       {p.Sandbox.Runtime}, cgroup {p.Sandbox.CgroupVersion}, enforced: " +
                        (p.Sandbox.Enforced.Count == 0 ? "nothing" : string.Join(", ", p.Sandbox.Enforced)));
            if (p.Terms is { } t)
            {
                w.WriteLine($"  offer         region {t.Region}, jobs up to {Formats.Duration(TimeSpan.FromSeconds(t.MaxJobSeconds))}; " +
                            $"{t.Prices.PerCpuCoreHour}/core-hour, {t.Prices.PerMemoryGiBHour}/GiB-hour, {t.Prices.PerGpuHourDefault}/GPU-hour (USDC)");
            }
            var jobs = p.CurrentJobs ?? (p.CurrentJob is { } one ? [one] : []);
            w.WriteLine($"  current jobs  {(jobs.Count == 0 ? "-" : string.Join(", ", jobs))}");
            w.WriteLine($"  last seen     {Formats.Time(p.LastSeen)}");
        }
    }

    private static string Gpu(GpuView g)
    {
        var extra = new[] { g.Driver is { } d ? $"driver {d}" : null, g.Cuda is { } c ? $"CUDA {c}" : null }.OfType<string>().ToList();
        return $"{g.Model} {Formats.Bytes(g.MemoryBytes)}" + (extra.Count > 0 ? $" ({string.Join(", ", extra)})" : "");
    }
}
