using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

public class BubblewrapCommandTests
{
    private static readonly SandboxOptions Options = new();

    private static readonly SandboxRequest Request = new(
        "/srv/jobs/1/work",
        "/srv/jobs/1/out",
        ["/usr/bin/printf", "%s", "a b; $(id) 'q'"],
        new Dictionary<string, string> { ["FOO"] = "bar", ["OG_OUT"] = "/elsewhere" },
        new SandboxLimits(64L << 20, 1000, 32, TimeSpan.FromSeconds(5), DiskBytes: 1 << 20));

    [Fact]
    public void Passes_the_job_argv_verbatim_after_the_last_separator()
    {
        var args = BubblewrapCommand.Build(Request, Options, Setup(jobUser: null));

        Assert.Equal(Request.Argv, args.TakeLast(3));
        Assert.Equal("--", args[^4]);
        Assert.DoesNotContain("a b", BubblewrapCommand.WrapperScript);
    }

    [Fact]
    public void As_root_bwrap_keeps_only_setuid_and_setgid_for_setpriv_to_become_the_job_user()
    {
        var args = BubblewrapCommand.Build(Request, Options, Setup(jobUser: (65534, 65534)));

        var setpriv = args.ToList().IndexOf(Options.SetprivPath);
        Assert.True(setpriv > args.ToList().IndexOf(Options.BwrapPath), "setpriv runs inside bwrap");
        Assert.Equal(["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--"], args.Skip(setpriv + 1).Take(5));
        Assert.DoesNotContain("--unshare-user", args);
        Assert.Contains("--unshare-net", args);
        Assert.Equal(["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"], Slice(args, "--cap-drop", 6));
    }

    [Fact]
    public void Unprivileged_bwrap_gets_a_user_namespace_that_cannot_nest()
    {
        var args = BubblewrapCommand.Build(Request, Options, Setup(jobUser: null));

        Assert.Equal(["--unshare-all", "--unshare-user", "--disable-userns"], Slice(args, "--unshare-all", 3));
        Assert.DoesNotContain(Options.SetprivPath, args);
    }

    [Fact]
    public void Mounts_work_and_out_read_write_a_sized_tmp_and_remounts_the_root_read_only()
    {
        var args = BubblewrapCommand.BwrapArguments(Request, Setup(jobUser: null));

        Assert.Equal(["--bind", "/srv/jobs/1/work", "/work", "--bind", "/srv/jobs/1/out", "/out"], Slice(args, "--bind", 6));
        Assert.Equal(["--size", "1048576", "--perms", "01777", "--tmpfs", "/tmp"], Slice(args, "--size", 6));
        Assert.Equal(["--remount-ro", "/", "--chdir", "/work", "--clearenv"], Slice(args, "--remount-ro", 5));
        Assert.Equal(["--seccomp", "9", "--json-status-fd", "8"], args.TakeLast(4));
    }

    [Fact]
    public void The_sandbox_variables_win_over_the_requests()
    {
        var env = BubblewrapCommand.JobEnvironment(Request.Env).ToDictionary();

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["FOO"] = "bar",
                ["OG_OUT"] = "/out",
                ["OG_WORK"] = "/work",
                ["HOME"] = "/work",
                ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            },
            env);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1ABC")]
    [InlineData("A=B")]
    [InlineData("A B")]
    public void Rejects_an_invalid_variable_name(string name)
    {
        Assert.Throws<ArgumentException>(() => BubblewrapCommand.JobEnvironment(new Dictionary<string, string> { [name] = "x" }));
    }

    private static RunSetup Setup((int, int)? jobUser) =>
        new(["--ro-bind", "/usr", "/usr"], "/tmp/x/seccomp.bpf", "/tmp/x/status.json", ["/sys/fs/cgroup/pids/opengrid/run-1/cgroup.procs"], jobUser, ["--core=0"]);

    private static IEnumerable<string> Slice(IReadOnlyList<string> args, string first, int count) =>
        args.SkipWhile(a => a != first).Take(count);
}
