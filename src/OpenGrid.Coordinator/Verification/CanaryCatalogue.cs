using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Content;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Core.Trust;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Verification;

/// <summary>Where a canary's known answer comes from.</summary>
public enum CanarySource
{
    /// <summary>The coordinator's folder (<c>Coordinator:Trust:CanaryDir</c>): curated, deterministic.</summary>
    Catalogue,

    /// <summary>A donated real job whose outputs two or more reputable providers reproduced.</summary>
    Harvested,
}

/// <summary>
/// A known-answer job: its spec (name, runtime, inputs and outputs define the answer; resources and limits are what it
/// needs), its inputs in the content store, the expected outputs (in the content store too), where it came from, and
/// for a harvested one the providers whose agreeing results made the answer.
/// </summary>
public sealed record Canary(string Key, JobSpec Spec, IReadOnlyList<ResolvedInput> Inputs, IReadOnlyList<OutputFile> Expected,
    CanarySource Source, IReadOnlyList<Address> ReproducedBy)
{
    public JobClass Class => JobClass.Of(Spec);

    /// <summary>
    /// What identifies a known answer, whatever shape the job was given: sha256 of the runtime digest, the inputs hash
    /// (both as receipts compute them) and the outputs' paths and comparators. A canary job is judged by the canary
    /// with its key.
    /// </summary>
    public static string KeyOf(JobSpec spec, IEnumerable<ResolvedInput> inputs)
    {
        var outputs = string.Join('\n', spec.Outputs.Select(o => $"{o.Path}\0{o.Compare}").Order(StringComparer.Ordinal));
        byte[] material =
        [
            .. ReceiptEncoding.RuntimeDigest(spec.Runtime).ToArray(),
            .. ReceiptEncoding.InputsHash(inputs.Select(i => new ReceiptInput(i.Path, i.Cid))).ToArray(),
            .. Encoding.UTF8.GetBytes(outputs),
        ];
        return Convert.ToHexStringLower(SHA256.HashData(material));
    }
}

/// <summary>
/// The canaries to draw from: the folder <c>Coordinator:Trust:CanaryDir</c> (default <c>DATA_DIR/canaries</c>), loaded
/// once — one folder per canary with <c>job.yaml</c>, the files its <c>from:</c> inputs name, and <c>expected/</c>
/// holding the known answer of every output by its path under <c>/out</c> — and the canaries harvested from donated
/// jobs, kept in SQLite (<see cref="ITrustStore"/>). A folder canary that does not load is logged and left out; the
/// catalogue never stops the coordinator.
/// </summary>
public sealed partial class CanaryCatalogue(FileBlockstore content, ITrustStore store, IOptions<CoordinatorOptions> options,
    ILogger<CanaryCatalogue> log)
{
    private readonly SemaphoreSlim _load = new(1, 1);
    private IReadOnlyList<Canary>? _folder;

    /// <summary>Every canary of the class: the folder's, then the harvested ones.</summary>
    public async Task<IReadOnlyList<Canary>> ForClassAsync(JobClass jobClass, CancellationToken ct)
    {
        var folder = (await LoadFolderAsync(ct)).Where(c => c.Class == jobClass);
        var harvested = (await store.ListHarvestedCanariesAsync(jobClass.Value, ct)).Select(ToCanary).OfType<Canary>();
        return [.. folder, .. harvested];
    }

    /// <summary>The canary a canary job was made from (by <see cref="Canary.KeyOf"/> its runtime, inputs and outputs), or null.</summary>
    public async Task<Canary?> FindAsync(Job job, CancellationToken ct)
    {
        var key = Canary.KeyOf(job.Spec, job.Inputs);
        return (await LoadFolderAsync(ct)).FirstOrDefault(c => c.Key == key)
            ?? (await store.FindHarvestedCanaryAsync(key, ct) is { } harvested ? ToCanary(harvested) : null);
    }

    /// <summary>The providers whose results made a harvested canary's known answer (empty for a folder canary): they
    /// ran the job already, so the matcher keeps its canary jobs away from them.</summary>
    public async Task<IReadOnlyList<Address>> ReproducersOfAsync(Job job, CancellationToken ct) =>
        (await FindAsync(job, ct))?.ReproducedBy ?? [];

    /// <summary>
    /// Keeps an accepted, donated job as a canary: its spec with the inputs by CID (the requester's local paths are
    /// dropped) and no price, verify or placement of its own, its agreed outputs, and who reproduced them. False when
    /// the same known answer is already kept.
    /// </summary>
    public async Task<bool> HarvestAsync(Job job, IReadOnlyList<OutputFile> agreed, IReadOnlyList<Address> reproducedBy, DateTimeOffset now,
        CancellationToken ct)
    {
        var spec = job.Spec with
        {
            Inputs = [.. job.Inputs.Select(i => new InputSpec(i.Path, null, i.Cid))],
            Price = PriceCap.Default,
            Verify = VerifyPolicy.Single,
            Placement = PlacementPolicy.Default,
            Split = null,
        };
        var expected = JsonSerializer.Serialize(agreed.Select(o => new OutputFileView(o.Path, o.Cid.ToString(), o.Size)).ToList(),
            OpenGridJsonContext.Default.IReadOnlyListOutputFileView);
        var by = string.Join(',', reproducedBy.Select(a => a.Value));
        return await store.AddHarvestedCanaryAsync(new HarvestedCanary(Canary.KeyOf(spec, job.Inputs), JobClass.Of(spec).Value,
            JobSpecWriter.ToYaml(spec), expected, by, job.Id, now), ct);
    }

    private Canary? ToCanary(HarvestedCanary stored)
    {
        if (JobSpecParser.Parse(stored.SpecText, "harvested.yaml").Spec is not { } spec
            || JsonSerializer.Deserialize(stored.ExpectedJson, OpenGridJsonContext.Default.IReadOnlyListOutputFileView) is not { } expected)
        {
            LogSkipped(stored.Key, "the stored harvested canary does not parse");
            return null;
        }
        return new Canary(stored.Key, spec, [.. spec.Inputs.Select(i => new ResolvedInput(i.Path, i.Cid!.Value))],
            [.. expected.Select(o => new OutputFile(o.Path, Cid.Parse(o.Cid), o.Size))], CanarySource.Harvested, [.. stored.ReproducedBy.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Address.Parse)]);
    }

    private async Task<IReadOnlyList<Canary>> LoadFolderAsync(CancellationToken ct)
    {
        if (_folder is { } loaded)
            return loaded;
        await _load.WaitAsync(ct);
        try
        {
            if (_folder is { } again)
                return again;
            var o = options.Value;
            var dir = o.Trust.CanaryDir ?? Path.Combine(o.DataDir, "canaries");
            var canaries = new List<Canary>();
            if (Directory.Exists(dir))
            {
                foreach (var folder in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
                {
                    try
                    {
                        canaries.Add(await LoadOneAsync(folder, ct));
                    }
                    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                    {
                        LogSkipped(folder, e.Message);
                    }
                }
            }
            LogLoaded(canaries.Count, dir);
            _folder = canaries;
            return canaries;
        }
        finally
        {
            _load.Release();
        }
    }

    private async Task<Canary> LoadOneAsync(string folder, CancellationToken ct)
    {
        var specPath = Path.Combine(folder, "job.yaml");
        var text = await File.ReadAllTextAsync(specPath, Encoding.UTF8, ct);
        var parsed = JobSpecParser.Parse(text, specPath);
        if (parsed.Spec is not { } spec)
            throw new InvalidDataException($"job.yaml does not parse: {parsed.Errors[0]}");
        var inputs = new List<ResolvedInput>();
        foreach (var input in spec.Inputs)
        {
            if (input.Cid is { } cid)
            {
                if (!content.Contains(cid))
                    throw new InvalidDataException($"input '{input.Path}': {cid} is not in the content store");
                inputs.Add(new ResolvedInput(input.Path, cid));
                continue;
            }
            inputs.Add(new ResolvedInput(input.Path, await StoreAsync(Path.Combine(folder, input.From!), $"input '{input.Path}'", ct)));
        }
        var expectedDir = Path.Combine(folder, "expected");
        var expected = new List<OutputFile>();
        if (Directory.Exists(expectedDir))
        {
            foreach (var file in Directory.GetFiles(expectedDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var path = Path.GetRelativePath(expectedDir, file).Replace('\\', '/');
                expected.Add(new OutputFile(path, await StoreAsync(file, $"expected '{path}'", ct), new FileInfo(file).Length));
            }
        }
        if (expected.Count == 0)
            throw new InvalidDataException("expected/ holds no known answers");
        // Written canonically: the folder's comments and layout never travel (providers get the provider view anyway).
        spec = JobSpecParser.Parse(JobSpecWriter.ToYaml(spec with { Inputs = [.. inputs.Select(i => new InputSpec(i.Path, null, i.Cid))] }), specPath).Spec!;
        return new Canary(Canary.KeyOf(spec, inputs), spec, inputs, expected, CanarySource.Catalogue, []);
    }

    private async Task<Cid> StoreAsync(string file, string what, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        return await content.PutAsync(stream, stream.Length, ct) is ContentPutResult.Stored stored
            ? stored.Cid
            : throw new InvalidDataException($"{what} could not be stored");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} canary job(s) from {Dir}")]
    private partial void LogLoaded(int count, string dir);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {Folder} left out: {Reason}")]
    private partial void LogSkipped(string folder, string reason);
}
