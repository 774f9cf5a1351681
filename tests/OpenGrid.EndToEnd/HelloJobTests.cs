using System.Diagnostics;
using System.Text.Json;
using OpenGrid.Core.Content;
using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

[Collection(nameof(GridCollection))]
public sealed class HelloJobTests(GridFixture grid)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);
    private static string HelloSpec => Path.Combine(TestPaths.RepoRoot, "examples", "hello", "job.yaml");

    [Fact]
    public async Task Hello_submitted_with_follow_streams_logs_exits_zero_and_its_output_downloads_with_matching_cid()
    {
        var (code, stdout, stderr) = await grid.OgAsync(JobTimeout, "submit", HelloSpec, "--follow");
        Assert.True(code == 0, $"og submit --follow exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("Hello", stdout, StringComparison.OrdinalIgnoreCase);

        var (listCode, listJson, _) = await grid.OgAsync(JobTimeout, "jobs", "--json");
        Assert.Equal(0, listCode);
        var job = JsonDocument.Parse(listJson).RootElement.GetProperty("jobs").EnumerateArray()
            .First(j => j.GetProperty("name").GetString() == "hello");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var id = job.GetProperty("id").GetString()!;
        var output = job.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("path").GetString() == "hello.txt");

        using var target = new TempDir("opengrid-e2e-get");
        var (getCode, getOut, getErr) = await grid.OgAsync(JobTimeout, "get", id, "-o", target.Path);
        Assert.True(getCode == 0, $"og get exited {getCode}\n{getOut}\n{getErr}");
        var file = target.Combine("hello.txt");
        Assert.True(File.Exists(file), $"og get did not write {file}: {getOut}");

        await using var stream = File.OpenRead(file);
        var cid = await UnixFsCidBuilder.ComputeAsync(stream, default);
        Assert.Equal(output.GetProperty("cid").GetString(), cid.ToString());

        // ipfs_cid (Debian) knows only plain `ipfs add` (dag-pb leaves): check the same bytes in that profile.
        await using var again = File.OpenRead(file);
        var plain = await UnixFsCidBuilder.ComputeAsync(again, UnixFsImportProfile.CidV0DagPbLeaves, default);
        Assert.Equal(IndependentPlainCid(file), plain.ToString());
    }

    [Fact]
    public async Task Hellos_receipts_from_an_honest_provider_verify_offline_and_a_changed_output_byte_is_caught()
    {
        var (code, stdout, stderr) = await grid.OgAsync(JobTimeout, "submit", HelloSpec, "--follow");
        Assert.True(code == 0, $"og submit --follow exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var id = System.Text.RegularExpressions.Regex.Matches(stdout + stderr, "[0-9a-f]{32}").Last().Value;

        using var target = new TempDir("opengrid-e2e-proof");
        var (getCode, getOut, getErr) = await grid.OgAsync(JobTimeout, "get", id, "-o", target.Path, "--proof");
        Assert.True(getCode == 0, $"og get --proof exited {getCode}\n{getOut}\n{getErr}");
        var pack = JsonDocument.Parse(await File.ReadAllTextAsync(target.Combine("proof.json"))).RootElement;
        var receipt = Assert.Single(pack.GetProperty("attempts").EnumerateArray()).GetProperty("receipt");
        Assert.Equal(id, receipt.GetProperty("jobId").GetString());

        var (verifyCode, verifyOut, verifyErr) = await grid.OgAsync(JobTimeout, "verify", target.Path);
        Assert.True(verifyCode == 0, $"og verify exited {verifyCode}\n{verifyOut}\n{verifyErr}");

        await File.AppendAllTextAsync(target.Combine("hello.txt"), "!");
        var (tamperedCode, tamperedOut, _) = await grid.OgAsync(JobTimeout, "verify", target.Path);
        Assert.Equal(7, tamperedCode);
        Assert.Contains("hello.txt", tamperedOut);
    }

    [Fact]
    public async Task Second_job_runs_on_the_other_provider_while_the_first_is_busy_and_cancel_stops_it()
    {
        using var specs = new TempDir("opengrid-e2e-specs");
        var busySpec = specs.Combine("busy.yaml");
        // The busy job takes every core of a provider, so the matcher cannot pack the next job beside it.
        var (_, providersJson, _) = await grid.OgAsync(JobTimeout, "providers", "--json");
        var cores = JsonDocument.Parse(providersJson).RootElement.GetProperty("providers")[0].GetProperty("hardware").GetProperty("cores").GetInt32();
        await File.WriteAllTextAsync(busySpec, JobSpecs.Shell("busy", $"echo started; {BusySleep}", cpu: cores.ToString(System.Globalization.CultureInfo.InvariantCulture), timeout: "10m"));

        var (code, stdout, stderr) = await grid.OgAsync(JobTimeout, "submit", busySpec, "--json");
        Assert.True(code == 0, $"og submit exited {code}\n{stdout}\n{stderr}");
        var busyId = JsonDocument.Parse(stdout).RootElement.GetProperty("id").GetString()!;
        await using (var follow = grid.StartOg("logs", busyId, "-f"))
            await follow.WaitForLineAsync(l => l.Contains("started"), JobTimeout, "the busy job's first log line");

        var (helloCode, helloOut, helloErr) = await grid.OgAsync(JobTimeout, "submit", HelloSpec, "--follow", "--json");
        Assert.True(helloCode == 0, $"hello exited {helloCode} while the first provider was busy\n{helloOut}\n{helloErr}");

        var busy = await StatusAsync(busyId);
        Assert.Equal("running", busy.GetProperty("state").GetString());
        var (_, jobsJson, _) = await grid.OgAsync(JobTimeout, "jobs", "--json");
        var hello = JsonDocument.Parse(jobsJson).RootElement.GetProperty("jobs").EnumerateArray()
            .First(j => j.GetProperty("name").GetString() == "hello" && j.GetProperty("state").GetString() == "succeeded"
                        && j.GetProperty("createdAt").GetDateTimeOffset() > busy.GetProperty("createdAt").GetDateTimeOffset());
        Assert.NotEqual(busy.GetProperty("provider").GetString(), hello.GetProperty("provider").GetString());

        var (cancelCode, cancelOut, cancelErr) = await grid.OgAsync(JobTimeout, "cancel", busyId);
        Assert.True(cancelCode == 0, $"og cancel exited {cancelCode}\n{cancelOut}\n{cancelErr}");
        Assert.Equal("cancelled", (await StatusAsync(busyId)).GetProperty("state").GetString());
        try
        {
            await WaitFor.ConditionAsync(() => Task.FromResult(!Processes.AnyWithCommandLine(BusySleep)), JobTimeout, $"the cancelled job's '{BusySleep}' to be killed");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; still running: {string.Join("; ", Processes.WithCommandLine(BusySleep))}", e);
        }
    }

    // A command line no other test's job runs: the check above looks at every process on the machine.
    private const string BusySleep = "sleep 313";

    private async Task<JsonElement> StatusAsync(string id)
    {
        var (code, json, err) = await grid.OgAsync(JobTimeout, "status", id, "--json");
        Assert.True(code == 0, $"og status exited {code}: {err}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>The CIDv1 plain `ipfs add` gives the file, from Debian's ipfs-cid, an implementation independent of ours.</summary>
    private static string IndependentPlainCid(string file)
    {
        if (!File.Exists("/usr/bin/ipfs_cid"))
            Assert.Fail("ipfs_cid is missing: apt-get install -y ipfs-cid (./test.sh installs it)");
        var psi = new ProcessStartInfo("/usr/bin/ipfs_cid") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(file);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return JsonDocument.Parse(output).RootElement.GetProperty("CIDv1").GetString()!;
    }
}

[CollectionDefinition(nameof(GridCollection))]
public sealed class GridCollection : ICollectionFixture<GridFixture>;
