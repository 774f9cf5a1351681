using System.Net;
using System.Net.Sockets;
using OpenGrid.Cli.Commands;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.Cli.Grid;

/// <summary>How to run a dev grid: its data folder, the coordinator port (0 = a free one), whether to run the example.</summary>
internal sealed record DevGridOptions(string DataDir, int Port, bool RunExample);

/// <summary>
/// <c>og dev</c>: starts a local chain (anvil, when installed: <see cref="DevPayments"/>), a coordinator settling on it
/// and two provider agents as child processes on loopback, waits until they are ready, runs the example and shows
/// what it cost, then supervises them until Ctrl-C (stop everything, exit 0) or until one dies (stop the rest, exit 1). While it runs, <c>&lt;data&gt;/grid.json</c> and <c>$OPENGRID_HOME/dev-grid.json</c> say where it is.
/// </summary>
internal sealed class DevGrid : IAsyncDisposable
{
    public const int ProviderCount = 2;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private const int LogTailLines = 20;

    private readonly CliContext _ctx;
    private readonly DevGridOptions _options;
    private readonly GridRegistration _registration;
    private readonly List<ChildProcess> _providers = [];
    private ChildProcess? _coordinator;
    private DevPayments? _payments;

    private DevGrid(CliContext ctx, DevGridOptions options)
    {
        _ctx = ctx;
        _options = options;
        _registration = new GridRegistration(options.DataDir, ctx.Env.Home);
    }

    private IEnumerable<ChildProcess> Children => _coordinator is null ? _providers : [_coordinator, .. _providers];

    public static async Task<int> RunAsync(CliContext ctx, DevGridOptions options, CancellationToken ct)
    {
        GridRegistration.RefuseIfRunning(options.DataDir);
        var dotnet = DevGridPaths.DotnetHost(ctx.Env);
        var coordinatorDll = DevGridPaths.CoordinatorDll(ctx.Env);
        var ogDll = DevGridPaths.OgDll();
        Directory.CreateDirectory(options.DataDir);

        await using var grid = new DevGrid(ctx, options);
        try
        {
            return await grid.RunCoreAsync(dotnet, coordinatorDll, ogDll, ct);
        }
        catch (CliException e)
        {
            // Reported before the grid stops, so the cause comes first on screen.
            CommandAction.Report(ctx, e);
            return e.ExitCode;
        }
    }

    private async Task<int> RunCoreAsync(string dotnet, string coordinatorDll, string ogDll, CancellationToken ct)
    {
        // Cancelled when a child exits, so that nothing waits on a grid that is gone.
        using var childExited = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, childExited.Token);
        try
        {
            _payments = await StartPaymentsAsync(linked.Token);
            var url = await StartCoordinatorAsync(dotnet, coordinatorDll, linked.Token);
            var client = _ctx.CreateClient(url);
            var providers = await StartProvidersAsync(dotnet, ogDll, url, client, linked.Token);
            // anvil is watched like the child processes: a grid whose chain is gone cannot settle.
            IEnumerable<Task> watched = [.. Children.Select(c => c.Exited), .. _payments is null ? [] : new Task[] { _payments.ChainExited }];
            _ = Task.WhenAny(watched).ContinueWith(_ =>
            {
                try
                {
                    childExited.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The grid already stopped.
                }
            }, TaskScheduler.Default);
            if (_options.RunExample && await DevExample.RunAsync(_ctx, client, _options.DataDir, linked.Token) is { } hello && _payments is not null)
                await _payments.PrintBalancesAsync(_ctx, url, hello, [.. providers.Select(p => (p.Name, ProviderHome(p.Name)))], linked.Token);
            DevGridBanner.Write(_ctx, url, _options.DataDir, _coordinator!, providers, _payments);
            await Task.Delay(Timeout.Infinite, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }

        // A child that dies at the same moment as a Ctrl-C is part of the stop, not a failure: give the signal a moment.
        if (!ct.IsCancellationRequested && (Children.Any(c => c.Exited.IsCompleted) || ChainDied))
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
            }
        }
        if (ct.IsCancellationRequested)
        {
            _ctx.Stdout.WriteLine("stopping the grid…");
            return ExitCodes.Ok;
        }
        if (Children.FirstOrDefault(c => c.Exited.IsCompleted) is { } dead)
            throw ChildFailure(dead, $"{dead.Name} (pid {dead.Pid}) exited with code {dead.Exited.Result}; stopping the grid");
        throw new CliException(
            $"the dev chain (anvil, pid {_payments!.Pid}) exited with code {_payments.ChainExited.Result}; payments cannot settle, stopping the grid",
            ExitCodes.Failure);
    }

    private bool ChainDied => _payments?.ChainExited.IsCompleted == true;

    /// <summary>The repository's canary catalogue (<c>canaries/</c>), when og dev runs from a checkout.</summary>
    private static IEnumerable<string> CanaryArguments() =>
        Directory.Exists("canaries") ? [$"--Coordinator:Trust:CanaryDir={Path.GetFullPath("canaries")}"] : [];

    private async Task<Uri> StartCoordinatorAsync(string dotnet, string dll, CancellationToken ct)
    {
        var port = _options.Port > 0 ? _options.Port : FreeLoopbackPort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        _ctx.Stdout.WriteLine($"starting the coordinator on {url} (log: {Path.Combine(_options.DataDir, "coordinator.log")})");
        _coordinator = ChildProcess.Start(
            "coordinator", dotnet,
            [dll, "--urls", $"http://127.0.0.1:{port}", $"--Coordinator:DataDir={Path.Combine(_options.DataDir, "coordinator")}",
                .. CanaryArguments(), .. _payments?.CoordinatorArguments ?? []],
            new Dictionary<string, string>(),
            workingDirectory: Path.GetDirectoryName(dll)!, // its content root, where appsettings.json is
            logPath: Path.Combine(_options.DataDir, "coordinator.log"));
        _registration.Write(url, Children);

        var probe = _ctx.CreateClient(url);
        await WaitUntilAsync(_coordinator, "the coordinator to answer GET /v1/info", async token =>
        {
            try
            {
                await probe.InfoAsync(token);
                return true;
            }
            catch (Exception e) when (e is CoordinatorUnreachableException or OpenGridApiException or HttpRequestException or IOException)
            {
                return false;
            }
        }, ct);
        return url;
    }

    private async Task<IReadOnlyList<DevProvider>> StartProvidersAsync(
        string dotnet, string ogDll, Uri url, OpenGridClient client, CancellationToken ct)
    {
        var providers = new List<DevProvider>();
        for (var n = 1; n <= ProviderCount; n++)
        {
            var name = $"dev-provider-{n}";
            var home = ProviderHome(name);
            // Create its key now, so we know the address it will register with.
            var address = KeyStore.LoadOrCreate(home).Address.Value;
            var logPath = Path.Combine(_options.DataDir, $"provider-{n}.log");
            _ctx.Stdout.WriteLine($"starting {name} ({address}, log: {logPath})");
            var child = ChildProcess.Start(
                name, dotnet,
                [ogDll, "provider", "start", "--coordinator", url.ToString(), "--name", name],
                new Dictionary<string, string> { [KeyStore.HomeVariable] = home },
                workingDirectory: _options.DataDir,
                logPath);
            _providers.Add(child);
            providers.Add(new DevProvider(name, address, child));
        }
        _registration.Write(url, Children);

        foreach (var provider in providers)
        {
            await WaitUntilAsync(provider.Process, $"{provider.Name} to connect to the coordinator", async token =>
            {
                try
                {
                    var list = await client.ListProvidersAsync(token);
                    return list.Providers.Any(p =>
                        string.Equals(p.Address, provider.Address, StringComparison.OrdinalIgnoreCase) && p.State != "offline");
                }
                catch (Exception e) when (e is CoordinatorUnreachableException or OpenGridApiException or HttpRequestException or IOException)
                {
                    return false;
                }
            }, ct);
        }
        return providers;
    }

    /// <summary>The provider's account home: <c>&lt;data&gt;/provider-N</c> for <c>dev-provider-N</c>.</summary>
    private string ProviderHome(string name) => Path.Combine(_options.DataDir, name["dev-".Length..]);

    /// <summary>The dev chain, or null when payments are off (anvil missing or failing: the grid runs without them).</summary>
    private async Task<DevPayments?> StartPaymentsAsync(CancellationToken ct)
    {
        var homes = Enumerable.Range(1, ProviderCount).Select(n => ProviderHome($"dev-provider-{n}")).ToList();
        try
        {
            return await DevPayments.StartAsync(_ctx, _options.DataDir, homes, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _ctx.Error($"payments are off: the dev chain did not start: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Polls <paramref name="ready"/> until it holds; fails with the last log lines of the first child that exits, or of
    /// <paramref name="child"/> when time runs out.
    /// </summary>
    private async Task WaitUntilAsync(ChildProcess child, string what, Func<CancellationToken, Task<bool>> ready, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            while (true)
            {
                if (Children.FirstOrDefault(c => c.Exited.IsCompleted) is { } dead)
                    throw ChildFailure(dead, $"{dead.Name} exited with code {dead.Exited.Result} while waiting for {what}");
                if (await ready(linked.Token))
                    return;
                await Task.Delay(PollInterval, linked.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw ChildFailure(child, $"timed out after {ReadyTimeout.TotalSeconds:0} s waiting for {what}");
        }
    }

    private CliException ChildFailure(ChildProcess child, string message)
    {
        var lines = new List<string> { $"og: {message}", $"og: last lines of {child.LogPath}:" };
        lines.AddRange(child.TailLog(LogTailLines).Select(l => "  | " + l));
        return new CliException(message, ExitCodes.Failure, lines);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops providers first (so they finish their jobs' teardown while the coordinator still listens), then
    /// the coordinator, then the chain.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_providers.Select(p => p.StopAsync(StopGrace)));
        if (_coordinator is not null)
            await _coordinator.StopAsync(StopGrace);
        if (_payments is not null)
            await _payments.DisposeAsync();
        foreach (var child in Children)
            await child.DisposeAsync();
        _registration.Delete();
        if (Children.Any())
            _ctx.Stdout.WriteLine($"stopped {Children.Count()} processes; data and logs are in {_options.DataDir}");
    }
}

/// <summary>A provider agent of the dev grid: its name, account address and process.</summary>
internal sealed record DevProvider(string Name, string Address, ChildProcess Process);
