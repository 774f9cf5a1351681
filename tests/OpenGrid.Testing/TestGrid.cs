using Xunit;
using System.Net.Http.Json;
using OpenGrid.Protocol;

namespace OpenGrid.Testing;

/// <summary>
/// A real grid: the coordinator and two provider agents as separate processes on a loopback port chosen at run
/// time, each with its own data folder, stopped by pid at the end. <paramref name="name"/> prefixes the data folder
/// and the providers' names; <paramref name="coordinatorSettings"/> are extra <c>--Coordinator:…</c> arguments;
/// <paramref name="providerEnvironment"/> adds variables to the providers' environment (e.g. <c>OPENGRID_RUNNERS</c>).
/// </summary>
public class TestGrid(
    string name, IReadOnlyList<string> coordinatorSettings, IReadOnlyDictionary<string, string>? providerEnvironment = null)
    : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<TestProcess> _processes = [];

    public TempDir Data { get; } = new("opengrid-" + name);

    public Uri Coordinator { get; private set; } = null!;

    public TestProcess CoordinatorProcess { get; private set; } = null!;

    public IReadOnlyList<TestProcess> Providers => _processes.Skip(1).ToList();

    public string RequesterHome => Data.Combine("requester");

    public static string OgDll => TestPaths.BuiltDll("OpenGrid.Cli", "og");

    public virtual async Task InitializeAsync()
    {
        var port = FreePort.Pick();
        Coordinator = new Uri($"http://127.0.0.1:{port}/");
        _processes.Add(await StartCoordinatorAsync());
        using var http = new HttpClient { BaseAddress = Coordinator };

        for (var i = 1; i <= 2; i++)
        {
            _processes.Add(TestProcess.StartDotnet($"provider-{i}", OgDll,
                ["provider", "start", "--coordinator", Coordinator.ToString(), "--name", $"{name}-provider-{i}"],
                new Dictionary<string, string>(providerEnvironment ?? new Dictionary<string, string>())
                {
                    ["OPENGRID_HOME"] = Data.Combine($"provider-{i}"),
                }));
        }
        await WaitFor.ConditionAsync(async () =>
        {
            var list = await http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView);
            return list!.Providers.Count(p => p.State != "offline") == 2;
        }, StartTimeout, "both providers to connect to the coordinator");
    }

    /// <summary>
    /// Starts one more provider process — <paramref name="dll"/> run with <paramref name="args"/>, its home in the
    /// grid's data folder under <paramref name="label"/> — and waits until the coordinator lists it. Returns its home.
    /// </summary>
    public async Task<string> AddProviderAsync(string label, string dll, IReadOnlyList<string> args)
    {
        using var http = new HttpClient { BaseAddress = Coordinator };
        var before = (await http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView))!.Providers.Count(p => p.State != "offline");
        var home = Data.Combine(label);
        _processes.Add(TestProcess.StartDotnet(label, dll, args, new Dictionary<string, string> { ["OPENGRID_HOME"] = home }));
        await WaitFor.ConditionAsync(async () =>
        {
            var list = await http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView);
            return list!.Providers.Count(p => p.State != "offline") > before;
        }, StartTimeout, $"{label} to connect to the coordinator");
        return home;
    }

    /// <summary>The address of the provider whose home is <paramref name="home"/>, from its key file.</summary>
    public static string AddressIn(string home) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(home, "key.json"))).RootElement.GetProperty("address").GetString()!;

    /// <summary>Kills the coordinator with SIGKILL (a crash) and starts it again on the same port and data.</summary>
    public async Task RestartCoordinatorAsync()
    {
        CoordinatorProcess.KillHard();
        await CoordinatorProcess.WaitForExitAsync(StartTimeout);
        await CoordinatorProcess.DisposeAsync();
        _processes[0] = await StartCoordinatorAsync();
    }

    private async Task<TestProcess> StartCoordinatorAsync()
    {
        CoordinatorProcess = TestProcess.StartDotnet("coordinator", TestPaths.BuiltDll("OpenGrid.Coordinator", "OpenGrid.Coordinator"),
        [
            "--urls", Coordinator.ToString().TrimEnd('/'), "--Coordinator:DataDir=" + Data.Combine("coordinator"),
            .. coordinatorSettings,
        ]);
        using var http = new HttpClient { BaseAddress = Coordinator };
        await WaitFor.ConditionAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("v1/info")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, StartTimeout, $"the coordinator to answer /v1/info at {Coordinator}");
        return CoordinatorProcess;
    }

    /// <summary>The address of provider-N (1-based), from its key file.</summary>
    public string ProviderAddress(int n) => AddressIn(Data.Combine($"provider-{n}"));

    /// <summary>Runs <c>og ARGS</c> as the requester against this grid and waits for it to exit.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> OgAsync(TimeSpan timeout, params string[] args)
    {
        await using var og = StartOg(args);
        var code = await og.WaitForExitAsync(timeout);
        return (code, og.Stdout, og.Stderr);
    }

    /// <summary>Starts <c>og ARGS</c> as the requester against this grid without waiting.</summary>
    public TestProcess StartOg(params string[] args) =>
        TestProcess.StartDotnet("og " + string.Join(' ', args), OgDll, args, new Dictionary<string, string>
        {
            ["OPENGRID_HOME"] = RequesterHome,
            ["OPENGRID_COORDINATOR"] = Coordinator.ToString(),
        });

    public virtual async Task DisposeAsync()
    {
        foreach (var p in Enumerable.Reverse(_processes))
            await p.DisposeAsync();
        Data.Dispose();
    }
}
