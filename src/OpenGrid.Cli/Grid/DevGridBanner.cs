namespace OpenGrid.Cli.Grid;

/// <summary>What <c>og dev</c> prints once the grid is up: its URLs, processes, logs and how to use it.</summary>
internal static class DevGridBanner
{
    public static void Write(CliContext ctx, Uri url, string dataDir, ChildProcess coordinator, IReadOnlyList<DevProvider> providers, DevPayments? payments)
    {
        var w = ctx.Stdout;
        var api = url.GetLeftPart(UriPartial.Authority);
        w.WriteLine();
        w.WriteLine("OpenGrid dev grid is running");
        w.WriteLine($"  coordinator  {api}  (pid {coordinator.Pid}, log {coordinator.LogPath})");
        w.WriteLine($"  OpenAPI      {api}/openapi/v1.json");
        w.WriteLine($"  dashboard    {api}/  (sign in with the key in $OPENGRID_HOME/key.json)");
        w.WriteLine($"  providers    {api}/v1/providers");
        foreach (var p in providers)
            w.WriteLine($"               {p.Name}  {p.Address}  (pid {p.Process.Pid}, log {p.Process.LogPath})");
        w.WriteLine(payments is null
            ? "  chain        off (payments need anvil: cd contracts && npm ci)"
            : $"  chain        {payments.RpcUrl}  (anvil pid {payments.Pid}, chain id 31337, escrow {payments.Addresses.Escrow})");
        w.WriteLine($"  data         {dataDir}");
        w.WriteLine();
        w.WriteLine("Use it from another terminal (og finds this grid without flags):");
        w.WriteLine("  ./og providers");
        w.WriteLine("  ./og submit examples/hello/job.yaml --follow");
        w.WriteLine("  ./og jobs");
        if (payments is not null)
            w.WriteLine("  ./og balance");
        w.WriteLine($"  curl {api}/v1/info");
        w.WriteLine();
        w.WriteLine("Press Ctrl-C to stop the grid.");
        w.Flush();
    }
}
