using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Content;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Core.Trust;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Verification;

/// <summary>A known-answer job: its spec, its inputs in the content store and the outputs an honest provider returns.</summary>
public sealed record Canary(string Name, string SpecText, JobSpec Spec, IReadOnlyList<ResolvedInput> Inputs, IReadOnlyDictionary<string, byte[]> Expected)
{
    public JobClass Class => JobClass.Of(Spec);
}

/// <summary>
/// The canary catalogue, loaded once from <c>Coordinator:Trust:CanaryDir</c> (default <c>DATA_DIR/canaries</c>): one
/// folder per canary with <c>job.yaml</c>, the files its <c>from:</c> inputs name, and <c>expected/</c> holding the
/// known answer of every output by its path under <c>/out</c>. A canary that does not load is logged and left out;
/// the catalogue never stops the coordinator.
/// </summary>
public sealed partial class CanaryCatalogue(FileBlockstore content, IOptions<CoordinatorOptions> options, ILogger<CanaryCatalogue> log)
{
    /// <summary>The account canaries are submitted as. Providers never see a job's requester.</summary>
    public static readonly Address Account = Address.Parse("0x" + Convert.ToHexStringLower(SHA256.HashData("opengrid canary account"u8)[..20]));

    private readonly SemaphoreSlim _load = new(1, 1);
    private IReadOnlyDictionary<JobClass, IReadOnlyList<Canary>>? _byClass;

    public async Task<IReadOnlyList<Canary>> ForClassAsync(JobClass jobClass, CancellationToken ct)
    {
        var byClass = await LoadAsync(ct);
        return byClass.TryGetValue(jobClass, out var list) ? list : [];
    }

    /// <summary>The canary a canary job was made from, by its spec text.</summary>
    public async Task<Canary?> FindAsync(string specText, CancellationToken ct) =>
        (await LoadAsync(ct)).Values.SelectMany(l => l).FirstOrDefault(c => c.SpecText == specText);

    private async Task<IReadOnlyDictionary<JobClass, IReadOnlyList<Canary>>> LoadAsync(CancellationToken ct)
    {
        if (_byClass is { } loaded)
            return loaded;
        await _load.WaitAsync(ct);
        try
        {
            if (_byClass is { } again)
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
            _byClass = canaries.GroupBy(c => c.Class).ToDictionary(g => g.Key, g => (IReadOnlyList<Canary>)g.ToList());
            return _byClass;
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
            await using var file = File.OpenRead(Path.Combine(folder, input.From!));
            if (await content.PutAsync(file, file.Length, ct) is not ContentPutResult.Stored stored)
                throw new InvalidDataException($"input '{input.Path}' could not be stored");
            inputs.Add(new ResolvedInput(input.Path, stored.Cid));
        }
        var expectedDir = Path.Combine(folder, "expected");
        var expected = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (Directory.Exists(expectedDir))
        {
            foreach (var file in Directory.GetFiles(expectedDir, "*", SearchOption.AllDirectories))
                expected[Path.GetRelativePath(expectedDir, file).Replace('\\', '/')] = await File.ReadAllBytesAsync(file, ct);
        }
        if (expected.Count == 0)
            throw new InvalidDataException("expected/ holds no known answers");
        return new Canary(Path.GetFileName(folder), text, spec, inputs, expected);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} canary job(s) from {Dir}")]
    private partial void LogLoaded(int count, string dir);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {Folder} left out: {Reason}")]
    private partial void LogSkipped(string folder, string reason);
}
