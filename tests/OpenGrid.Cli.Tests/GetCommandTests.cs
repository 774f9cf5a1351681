using OpenGrid.Cli.Jobs;
using OpenGrid.Core.Content;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

public sealed class GetCommandTests : IDisposable
{
    private static readonly byte[] Hello = "Hello from OpenGrid!\n"u8.ToArray();

    private readonly TempDir _dir = new("og-get");
    private readonly FakeCoordinator _coordinator = new();
    private readonly OgRunner _og;

    public GetCommandTests()
    {
        _og = new OgRunner(_dir.Combine("work"), _dir.Combine("home")) { Coordinator = _coordinator }
            .WithVariable(CliEnvironment.CoordinatorVariable, FakeCoordinator.Url.ToString());
        Directory.CreateDirectory(_og.CurrentDirectory);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("./hello.txt")]
    [InlineData("a//b")]
    [InlineData("")]
    [InlineData("a\\..\\b")]
    public void Output_paths_that_could_escape_the_folder_are_refused(string path) =>
        Assert.Null(OutputPaths.Resolve(_dir.Combine("out"), path));

    [Fact]
    public void A_symbolic_link_inside_the_folder_is_not_followed()
    {
        Directory.CreateDirectory(_dir.Combine("out"));
        Directory.CreateSymbolicLink(_dir.Combine("out", "link"), _dir.Combine("elsewhere"));

        Assert.Null(OutputPaths.Resolve(_dir.Combine("out"), "link/file.txt"));
    }

    [Theory]
    [InlineData("hello.txt")]
    [InlineData("frames/0001.png")]
    [InlineData("..hidden")]
    public void Plain_relative_paths_land_under_the_folder(string path) =>
        Assert.Equal(Path.Combine([_dir.Combine("out"), .. path.Split('/')]), OutputPaths.Resolve(_dir.Combine("out"), path));

    [Fact]
    public async Task A_job_whose_output_path_escapes_the_folder_is_refused_with_exit_7_and_nothing_is_written()
    {
        var cid = CidOf(Hello);
        _coordinator.Json("GET v1/jobs/j1",
            FakeCoordinator.Job("j1", "succeeded", 0, new OutputFileView("hello.txt", cid, Hello.Length), new OutputFileView("../escape.txt", cid, Hello.Length)),
            OpenGridJsonContext.Default.JobView);
        _coordinator.Bytes($"GET v1/content/{cid}", Hello);

        var result = await _og.RunAsync("get", "j1", "-o", "out");

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("refusing output path '../escape.txt'", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_og.CurrentDirectory, "escape.txt")));
        Assert.False(Directory.Exists(Path.Combine(_og.CurrentDirectory, "out")) &&
                     Directory.EnumerateFileSystemEntries(Path.Combine(_og.CurrentDirectory, "out")).Any());
        Assert.DoesNotContain($"GET v1/content/{cid}", _coordinator.Requests);
    }

    [Fact]
    public async Task Outputs_are_downloaded_into_the_folder_and_listed_with_size_and_cid()
    {
        var cid = CidOf(Hello);
        _coordinator.Json("GET v1/jobs/j1",
            FakeCoordinator.Job("j1", "succeeded", 0, new OutputFileView("greetings/hello.txt", cid, Hello.Length)),
            OpenGridJsonContext.Default.JobView);
        _coordinator.Bytes($"GET v1/content/{cid}", Hello);

        var result = await _og.RunAsync("get", "j1", "-o", "out");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Hello, await File.ReadAllBytesAsync(Path.Combine(_og.CurrentDirectory, "out", "greetings", "hello.txt")));
        Assert.Contains($"out/greetings/hello.txt  21 B  {cid}", result.Stdout);
    }

    [Fact]
    public async Task A_file_that_does_not_match_its_cid_is_not_kept_and_exits_7()
    {
        var cid = CidOf(Hello);
        _coordinator.Json("GET v1/jobs/j1",
            FakeCoordinator.Job("j1", "succeeded", 0, new OutputFileView("hello.txt", cid, Hello.Length)),
            OpenGridJsonContext.Default.JobView);
        _coordinator.Bytes($"GET v1/content/{cid}", "Hello from a cheat!!\n"u8.ToArray());

        var result = await _og.RunAsync("get", "j1", "-o", "out");

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("output hello.txt:", result.Stderr);
        Assert.Contains("(content.corrupt)", result.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_og.CurrentDirectory, "out"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Get_with_json_prints_one_output_per_line()
    {
        var cid = CidOf(Hello);
        _coordinator.Json("GET v1/jobs/j1",
            FakeCoordinator.Job("j1", "succeeded", 0, new OutputFileView("hello.txt", cid, Hello.Length)),
            OpenGridJsonContext.Default.JobView);
        _coordinator.Bytes($"GET v1/content/{cid}", Hello);

        var result = await _og.RunAsync("get", "j1", "-o", "out", "--json");

        Assert.Equal($"{{\"path\":\"hello.txt\",\"cid\":\"{cid}\",\"size\":21}}\n", result.Stdout.ReplaceLineEndings("\n"));
    }

    private static string CidOf(byte[] bytes)
    {
        var builder = new UnixFsCidBuilder();
        builder.Append(bytes);
        return builder.Complete().ToString();
    }

    public void Dispose() => _dir.Dispose();
}
