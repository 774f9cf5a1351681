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
// Usage: dotnet run -c Release --project bench/OpenGrid.Bench.Settlement -- [--jobs 200] [--concurrency 1,4,8,16]
var jobs = Arg("--jobs", "200", int.Parse);
var levels = Arg("--concurrency", "1,4,8,16", s => s.Split(',').Select(int.Parse).ToArray());
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

    Console.WriteLine($"anvil {chain.RpcUrl}, {jobs} milestone jobs per run ({jobs * 3} intents), {Environment.ProcessorCount} cores");
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
            var now = DateTimeOffset.UtcNow;
            var job = new Job(JobId.New(TimeProvider.System), requesterAddress, spec.Name, specText, spec, JobState.Queued, now, now, null, null, [], [], [])
            {
                Authorization = JobAuthorizer.Create(specText, spec, domain, 0, requesterKey, now),
            };
            await jobStore.InsertJobAsync(job, none);
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
