using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Dashboard.Tests;

/// <summary>Jobs the page tests need on the grid, submitted through the API as <c>og</c> would, run to the end.</summary>
public static class GridJobs
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A job verified by quorum: two replicas on the two providers, both results compared byte for byte
    /// (<c>adaptive: false</c>, so the coordinator never skips the second replica).
    /// </summary>
    public static string VerifiedSpec(string name) => JobSpecs.Shell(name, "echo the answer is 42 > /out/answer.txt") + """

        outputs:
          - { path: answer.txt, compare: exact }
        verify: { replicas: 2, quorum: 2, adaptive: false }
        """;

    /// <summary>The folder of <c>examples/hello</c>: its spec and the two input files it names.</summary>
    public static string HelloFolder { get; } = Path.Combine(TestPaths.RepoRoot, "examples", "hello");

    /// <summary>Runs <c>examples/hello</c> as <c>og submit</c> does (inputs uploaded first) and waits until it succeeded.</summary>
    public static async Task<JobView> RunHelloAsync(OpenGridClient client)
    {
        var cids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in (string[])["hello.sh", "greeting.txt"])
        {
            await using var file = File.OpenRead(Path.Combine(HelloFolder, input));
            cids[input] = (await client.UploadAsync(file, file.Length, null, CancellationToken.None)).Cid;
        }
        return await RunAsync(client, await File.ReadAllTextAsync(Path.Combine(HelloFolder, "job.yaml")), cids);
    }

    /// <summary>
    /// Submits the spec as og does (with a signed authorization when the grid settles payments) and waits until the job
    /// succeeded; returns it as the API shows it then.
    /// </summary>
    public static async Task<JobView> RunAsync(OpenGridClient client, string spec, IReadOnlyDictionary<string, string>? inputCids = null)
    {
        var parsed = JobSpecParser.Parse(spec, "job.yaml").Spec ?? throw new ArgumentException("the test spec does not parse", nameof(spec));
        var job = await client.SubmitAsync(new SubmitJobRequest(spec, "job.yaml", inputCids), parsed, CancellationToken.None);
        JobView? now = null;
        await WaitFor.ConditionAsync(async () => (now = await client.GetJobAsync(job.Id, CancellationToken.None)).State is "succeeded" or "failed",
            RunTimeout, $"job {job.Name} to end");
        Assert.True(now!.State == "succeeded", $"job {job.Name} ended {now.State}: {now.Reason}");
        return now;
    }
}
