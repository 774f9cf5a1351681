using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenGrid.Chain;
using OpenGrid.Chain.Dev;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Specs;

// Settlement throughput: N milestone jobs (open + release + close = 3 intents each) driven onto a fresh anvil by the
// coordinator's IntentRunner over a SQLite store, at each concurrency given. Each job is stored with its requester's
// signed authorization, as after a submit. Prints intents/s and gas per job.
// First, gas per step: two milestone jobs and two streaming jobs of --intervals releases each (60 s apart), for one
// requester and one provider, as the coordinator sends them (gas as recorded on each intent).
// Usage: dotnet run -c Release --project bench/OpenGrid.Bench.Settlement -- [--jobs 200] [--concurrency 1,4,8,16] [--intervals 5]
var jobs = Arg("--jobs", "200", int.Parse);
var levels = Arg("--concurrency", "1,4,8,16", s => s.Split(',').Select(int.Parse).ToArray());
var intervals = Arg("--intervals", "5", int.Parse);
var none = CancellationToken.None;
using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

await using var chain = await DevChain.StartAsync();
var dir = Directory.CreateTempSubdirectory("opengrid-bench-settlement");
try
{
    var plan = new DeploymentPlan(chain.Account(2).Address, chain.Account(1).Address);
    var contracts = await ChainDeployer.DeployAsync(chain.Web3(0), plan, none);
    var keyFile = Path.Combine(dir.FullName, "coordinator-key.json");
    File.WriteAllText(keyFile, JsonSerializer.Serialize(new Dictionary<string, string> { ["privateKey"] = chain.PrivateKeys[1] }));
    var requesterAddress = Address.Parse(chain.Account(3).Address.ToLowerInvariant());
    var providerAddress = Address.Parse(chain.Account(4).Address.ToLowerInvariant());
    var requester = ChainContracts.At(chain.Web3(3), contracts.Addresses);
    var funds = TokenAmount.FromBaseUnits(1_000_000 * TokenAmount.UnitsPerToken);
    await requester.Token.MintAsync(requesterAddress.Value, funds, none);
    await requester.Token.ApproveAsync(requester.Escrow.Address, funds, none);
    await requester.Escrow.DepositAsync(funds, none);
    var options = new ChainOptions
    {
        RpcUrl = chain.RpcUrl, ChainId = DevChain.ChainId, KeyFile = keyFile, TokenAddress = contracts.Addresses.Token,
        EscrowAddress = contracts.Addresses.Escrow, RegistryAddress = contracts.Addresses.Registry, ReputationAddress = contracts.Addresses.Reputation,
        ReceiptVerifierAddress = contracts.Addresses.ReceiptVerifier,
    };
    var rate = TokenAmount.FromBaseUnits(500_000);
    var cap = OpenGrid.Chain.Escrow.EscrowRules.CapFor(rate, TimeSpan.FromMinutes(10));
    var requesterKey = Identity.FromPrivateKey(chain.PrivateKeys[3]);
    var domain = new EscrowDomain(DevChain.ChainId, Address.Parse(contracts.Addresses.Escrow));
    const string specText = """
        apiVersion: opengrid/v1
        kind: Job
        name: bench
        runtime: { kind: process, command: ["true"] }
        limits: { timeout: 10m }
        price: { maxPerHour: "0.50" }
        """;
    var spec = JobSpecParser.Parse(specText, "job.yaml").Spec!;

    // A job as a submit stores it: with its requester's signed authorization, which the lease opens under.
    async Task<Job> AuthorizedJobAsync(SqliteJobStore store)
    {
        var now = DateTimeOffset.UtcNow;
        var job = new Job(JobId.New(TimeProvider.System), requesterAddress, spec.Name, specText, spec, JobState.Queued, now, now, null, null, [], [], [])
        {
            Authorization = JobAuthorizer.Create(specText, spec, domain, 0, requesterKey, now),
        };
        await store.InsertJobAsync(job, none);
        return job;
    }

    Console.WriteLine($"anvil {chain.RpcUrl}, {Environment.ProcessorCount} cores; gas per step (requester {requesterAddress}, provider {providerAddress})");
    var gasDb = SqliteDatabase.ForFile(Path.Combine(dir.FullName, "gas.db"));
    var gasJobs = new SqliteJobStore(gasDb);
    await gasJobs.InitializeAsync(none);
    var gasStore = new SqliteSettlementStore(gasDb);
    await gasStore.InitializeAsync(none);
    var gasRunner = new IntentRunner(gasStore, gasJobs, new SettlementChain(true, options), new SettlementSignal(),
        Options.Create(new SettlementOptions { Concurrency = 1 }), TimeProvider.System, logs.CreateLogger<IntentRunner>());
    foreach (var mode in new[] { PaymentMode.Milestone, PaymentMode.Milestone, PaymentMode.Streaming, PaymentMode.Streaming })
    {
        var job = await AuthorizedJobAsync(gasJobs);
        var open = new SettlementIntent(0, job.Id, 1, SettlementAction.Open, requesterAddress, providerAddress, rate, cap, 0, mode);
        var releases = mode == PaymentMode.Milestone
            ? [open with { Action = SettlementAction.Release, Seconds = 120 }]
            : Enumerable.Range(0, intervals).Select(i => open with { Action = SettlementAction.Release, Seconds = (ulong)(60 * (i + 1)), Seq = i }).ToList();
        await gasStore.AddAsync([open, .. releases, open with { Action = SettlementAction.Close }], DateTimeOffset.UtcNow, none);
        while ((await gasStore.ListUnfinishedAsync(10, none)).Count > 0)
        {
            var report = await gasRunner.RunDueAsync(none);
            if (report.Refused.Count > 0)
                throw new InvalidOperationException($"refused: {report.Refused[0].Reason}");
        }
        var steps = await gasStore.ListForJobAsync(open.Job, none);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {SettlementNames.ToWire(mode),-9} job: {string.Join(", ", steps.Select(i => $"{i.Action.ToWire()}{(i.Action == SettlementAction.Release && mode == PaymentMode.Streaming ? $"#{i.Seq}" : "")} {i.GasUsed}"))}; total {steps.Sum(i => i.GasUsed ?? 0)}"));
    }

    Console.WriteLine($"{jobs} milestone jobs per run ({jobs * 3} intents)");
    foreach (var concurrency in levels)
    {
        var db = SqliteDatabase.ForFile(Path.Combine(dir.FullName, $"run-{concurrency}.db"));
        var jobStore = new SqliteJobStore(db);
        await jobStore.InitializeAsync(none);
        var store = new SqliteSettlementStore(db);
        await store.InitializeAsync(none);
        var intents = new List<SettlementIntent>();
        for (var i = 0; i < jobs; i++)
        {
            var job = await AuthorizedJobAsync(jobStore);
            var open = new SettlementIntent(0, job.Id, 1, SettlementAction.Open, requesterAddress, providerAddress, rate, cap, 0, PaymentMode.Milestone);
            intents.AddRange([open, open with { Action = SettlementAction.Release, Seconds = 120 }, open with { Action = SettlementAction.Close }]);
        }
        await store.AddAsync(intents, DateTimeOffset.UtcNow, none);
        var runner = new IntentRunner(store, jobStore, new SettlementChain(true, options), new SettlementSignal(),
            Options.Create(new SettlementOptions { Concurrency = concurrency }), TimeProvider.System, logs.CreateLogger<IntentRunner>());
        var clock = Stopwatch.StartNew();
        var finished = 0;
        while (finished < intents.Count)
        {
            var report = await runner.RunDueAsync(none);
            if (report.Refused.Count > 0)
                throw new InvalidOperationException($"refused: {report.Refused[0].Reason}");
            finished += report.Finished;
        }
        clock.Stop();
        var rows = await store.ListForJobAsync(intents[0].Job, none);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"concurrency {concurrency,2}: {intents.Count} intents in {clock.Elapsed.TotalSeconds:0.00} s = {intents.Count / clock.Elapsed.TotalSeconds:0} intents/s " +
            $"({jobs / clock.Elapsed.TotalSeconds:0.0} jobs/s); gas per job {rows.Sum(r => r.GasUsed ?? 0)}"));
    }
}
finally
{
    dir.Delete(recursive: true);
}

T Arg<T>(string name, string fallback, Func<string, T> parse)
{
    var i = Array.IndexOf(args, name);
    return parse(i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback);
}
