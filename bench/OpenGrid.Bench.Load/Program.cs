using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using OpenGrid.Bench.Load;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;
using OpenGrid.Provider;
using OpenGrid.Provider.Sandbox;

// og load generator: a real coordinator (child process, Release build), N provider agents in this process, and a
// requester submitting trivial jobs (`true`). Reports submit → assigned latency at a fixed rate, and end-to-end
// jobs/s with and without the bubblewrap sandbox.
//   dotnet run -c Release --project bench/OpenGrid.Bench.Load -- [--rate 200] [--seconds 5] [--jobs 500] [--sandbox bwrap|none] [--warmup 600] [--store-sync normal|full]
// The coordinator and the agents are warmed first (--warmup jobs, 16 at a time): a process that has just started runs
// its code unoptimised (tier 0) and compiles while it serves; a coordinator runs for days.
var rate = Arg("--rate", 200);
var seconds = Arg("--seconds", 5);
var throughputJobs = Arg("--jobs", 500);
var sandboxKind = ArgText("--sandbox", "bwrap");
var warmupJobs = Arg("--warmup", 600);
var storeSync = ArgText("--store-sync", "normal");

var root = Directory.CreateTempSubdirectory("og-load-").FullName;
var repo = FindRepo();
var coordinatorDll = Path.Combine(repo, "artifacts", "bin", "OpenGrid.Coordinator", "release", "OpenGrid.Coordinator.dll");
if (!File.Exists(coordinatorDll))
    throw new FileNotFoundException($"{coordinatorDll} is missing: dotnet build -c Release src/OpenGrid.Coordinator");

var port = FreePort();
var url = new Uri($"http://127.0.0.1:{port}/");
var coordinator = Process.Start(new ProcessStartInfo("dotnet",
    [coordinatorDll, "--urls", url.ToString().TrimEnd('/'), $"--Coordinator:DataDir={root}/coordinator", $"--Coordinator:StoreSync={storeSync}", "--Logging:LogLevel:Default=Warning"])
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
})!;
coordinator.OutputDataReceived += (_, _) => { };
coordinator.ErrorDataReceived += (_, _) => { };
coordinator.BeginOutputReadLine();
coordinator.BeginErrorReadLine();
using var stop = new CancellationTokenSource();
try
{
    using var http = new HttpClient { BaseAddress = url };
    await Until(async () => (await Try(() => http.GetAsync("v1/info")))?.IsSuccessStatusCode == true, "the coordinator");

    using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
    var agents = new List<Task>();
    for (var i = 1; i <= 2; i++)
    {
        ISandbox sandbox = sandboxKind == "none"
            ? new DirectSandbox()
            : new BubblewrapSandbox(new SandboxOptions(), loggers.CreateLogger<BubblewrapSandbox>());
        agents.Add(ProviderAgent.RunAsync(new ProviderAgentOptions(url, Path.Combine(root, $"provider-{i}"), $"load-{i}"), sandbox, loggers, stop.Token));
    }
    await Until(async () => (await http.GetFromJsonAsync("v1/providers", OpenGridJsonContext.Default.ProviderListView))!.Providers.Count(p => p.State != "offline") == 2, "two providers");

    var client = new OpenGridClient(new HttpClient { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan }, Identity.Generate());
    await client.GetTokenAsync(default);
    const string Spec = """
        apiVersion: opengrid/v1
        kind: Job
        name: trivial
        runtime: { kind: process, command: ["true"] }
        resources: { cpu: 10m, memory: 16Mi, disk: 1Mi }
        limits: { timeout: 1m }
        """;
    var request = new SubmitJobRequest(Spec, "trivial.yaml", null);
    await client.SubmitAsync(request, default); // first contact
    if (warmupJobs > 0)
    {
        var warm = Stopwatch.StartNew();
        var gate = new SemaphoreSlim(16);
        var warmIds = await Task.WhenAll(Enumerable.Range(0, warmupJobs).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                return (await client.SubmitAsync(request, default)).Id;
            }
            finally
            {
                gate.Release();
            }
        }));
        await WaitAllAsync(client, warmIds);
        Console.WriteLine($"warm-up: {warmupJobs} jobs in {warm.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(2)); // let the background compiler catch up
    }

    Console.WriteLine($"machine: {Environment.ProcessorCount} cores; sandbox: {sandboxKind}; coordinator: SQLite (StoreSync {storeSync}), Release");

    // Phase 1: submit → assigned latency at a fixed rate.
    var ids = new List<string>();
    var interval = TimeSpan.FromSeconds(1.0 / rate);
    var clock = Stopwatch.StartNew();
    var pending = new List<Task<JobView>>();
    for (var n = 0; n < rate * seconds; n++)
    {
        var due = interval * n;
        if (clock.Elapsed < due)
            await Task.Delay(due - clock.Elapsed);
        pending.Add(client.SubmitAsync(request, default));
    }
    ids.AddRange((await Task.WhenAll(pending)).Select(j => j.Id));
    var offered = ids.Count / clock.Elapsed.TotalSeconds;
    var done = await WaitAllAsync(client, ids);
    var assign = done.Select(j => (j.Attempts[0].AssignedAt - j.CreatedAt).TotalMilliseconds).Order().ToList();
    var total = done.Select(j => ((j.Attempts[^1].FinishedAt ?? j.UpdatedAt) - j.CreatedAt).TotalMilliseconds).Order().ToList();
    Console.WriteLine($"latency run: {ids.Count} jobs at {offered:0} submits/s offered; succeeded {done.Count(j => j.State == "succeeded")}");
    Console.WriteLine($"  submit→assigned  p50 {P(assign, 0.5):0.0} ms  p99 {P(assign, 0.99):0.0} ms  max {assign[^1]:0.0} ms");
    Console.WriteLine($"  submit→finished  p50 {P(total, 0.5):0.0} ms  p99 {P(total, 0.99):0.0} ms");

    // Phase 2: throughput — submit as fast as 16 clients can, until all have finished.
    clock.Restart();
    var sem = new SemaphoreSlim(16);
    var burst = await Task.WhenAll(Enumerable.Range(0, throughputJobs).Select(async _ =>
    {
        await sem.WaitAsync();
        try
        {
            return (await client.SubmitAsync(request, default)).Id;
        }
        finally
        {
            sem.Release();
        }
    }));
    var submitted = clock.Elapsed;
    var finished = await WaitAllAsync(client, burst);
    var last = finished.Max(j => j.Attempts[^1].FinishedAt ?? j.UpdatedAt);
    var first = finished.Min(j => j.CreatedAt);
    var wall = (last - first).TotalSeconds;
    Console.WriteLine($"throughput run: {burst.Length} jobs, submitted in {submitted.TotalSeconds:0.00} s ({burst.Length / submitted.TotalSeconds:0} submits/s); " +
                      $"all finished {wall:0.00} s after the first submit → {burst.Length / wall:0.0} jobs/s end to end; succeeded {finished.Count(j => j.State == "succeeded")}");
}
finally
{
    await stop.CancelAsync();
    coordinator.Kill(entireProcessTree: true);
    await coordinator.WaitForExitAsync();
    try
    {
        Directory.Delete(root, recursive: true);
    }
    catch (IOException)
    {
    }
}

static async Task<List<JobView>> WaitAllAsync(OpenGridClient client, IReadOnlyList<string> ids)
{
    var views = new List<JobView>();
    foreach (var id in ids)
    {
        while (true)
        {
            var job = await client.GetJobAsync(id, default);
            if (job.State is "succeeded" or "failed" or "cancelled" or "timed_out")
            {
                views.Add(job);
                break;
            }
            await Task.Delay(20);
        }
    }
    return views;
}

static double P(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

static async Task Until(Func<Task<bool>> condition, string what)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (!await condition())
    {
        if (DateTime.UtcNow > deadline)
            throw new TimeoutException($"waited 60 s for {what}");
        await Task.Delay(50);
    }
}

static async Task<T?> Try<T>(Func<Task<T>> f) where T : class
{
    try
    {
        return await f();
    }
    catch (HttpRequestException)
    {
        return null;
    }
}

static int FreePort()
{
    var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    l.Start();
    var p = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    return p;
}

static string FindRepo()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "OpenGrid.slnx")))
            return d.FullName;
    throw new DirectoryNotFoundException("OpenGrid.slnx");
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string ArgText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
