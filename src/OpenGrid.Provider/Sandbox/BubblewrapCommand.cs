using System.Globalization;

namespace OpenGrid.Provider.Sandbox;

/// <summary>What a run needs besides the request: decided by <see cref="BubblewrapSandbox"/> from this host.</summary>
/// <param name="RootArguments">bwrap arguments that build the read-only root (see <see cref="HostRootLayout"/>).</param>
/// <param name="SeccompFile">The compiled BPF program, passed on fd 9; null where seccomp is not supported.</param>
/// <param name="StatusFile">Receives bwrap's <c>--json-status-fd</c> output on fd 8; a <c>child-pid</c> entry
/// means the job started.</param>
/// <param name="CgroupProcsFiles">The wrapper writes its pid to each before it execs bwrap.</param>
/// <param name="JobUser">Host uid and gid the job runs as when the provider is root; null when it is not
/// (the job then keeps the provider's uid, behind a user namespace).</param>
/// <param name="Rlimits">prlimit options such as <c>--fsize=N</c>.</param>
/// <param name="JobPath">The job's PATH: the runner directories, if any, then <see cref="BubblewrapCommand.SandboxPath"/>.</param>
/// <param name="GpuDevices">The host's GPU device nodes (<see cref="Sandbox.GpuDevices"/>), bound only for jobs that ask.</param>
internal sealed record RunSetup(
    IReadOnlyList<string> RootArguments,
    string? SeccompFile,
    string StatusFile,
    IReadOnlyList<string> CgroupProcsFiles,
    (int Uid, int Gid)? JobUser,
    IReadOnlyList<string> Rlimits,
    string JobPath = BubblewrapCommand.SandboxPath,
    IReadOnlyList<string>? GpuDevices = null);

/// <summary>
/// Builds the command line: <c>sh -c WRAPPER</c> hands the work and out dirs to the job user, joins the run's
/// cgroup, then execs <c>prlimit … bwrap … -- [setpriv …] ARGV</c> with the seccomp program on fd 9. Every
/// value travels as a positional parameter, never inside the script text, so nothing needs quoting.
/// </summary>
/// <remarks>
/// As root, bwrap runs privileged without a user namespace (so it can bind any host path) and keeps only
/// CAP_SETUID/CAP_SETGID, which setpriv spends to become the job user; the kernel then clears every capability.
/// A rootful <c>--unshare-user --uid 65534</c> would not do: uid 65534 inside maps to host uid 0.
/// Unprivileged, bwrap makes a user namespace and the job keeps the provider's uid.
/// </remarks>
internal static class BubblewrapCommand
{
    public const string WrapperScript = """
        bpf=$1 status=$2 owner=$3 work=$4 out=$5 n=$6
        shift 6
        if [ -n "$owner" ]; then
          chown -R -P -- "$owner" "$work" "$out" && chmod u+rwx -- "$work" "$out" || exit 125
        fi
        while [ "$n" -gt 0 ]; do echo "$$" > "$1" || exit 125; shift; n=$((n - 1)); done
        exec "$@" 9<"$bpf" 8>"$status"
        """;

    public const string SandboxPath = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>The shell's arguments (everything after the shell's own path).</summary>
    public static IReadOnlyList<string> Build(SandboxRequest request, SandboxOptions options, RunSetup setup)
    {
        var args = new List<string>
        {
            "-c", WrapperScript, "opengrid-sandbox",
            setup.SeccompFile ?? "/dev/null",
            setup.StatusFile,
            setup.JobUser is { } user ? $"{Number(user.Uid)}:{Number(user.Gid)}" : "",
            request.WorkDir,
            request.OutDir,
            Number(setup.CgroupProcsFiles.Count),
        };
        args.AddRange(setup.CgroupProcsFiles);

        args.Add(options.PrlimitPath);
        args.AddRange(setup.Rlimits);
        args.Add("--");

        args.Add(options.BwrapPath);
        args.AddRange(BwrapArguments(request, setup));
        args.Add("--");
        if (setup.JobUser is { } job)
        {
            args.AddRange([
                options.SetprivPath, $"--reuid={Number(job.Uid)}", $"--regid={Number(job.Gid)}", "--clear-groups",
                "--inh-caps=-all", "--",
            ]);
        }

        args.AddRange(request.Argv);
        return args;
    }

    public static IReadOnlyList<string> BwrapArguments(SandboxRequest request, RunSetup setup)
    {
        var args = new List<string>();
        if (setup.JobUser is not null)
        {
            args.AddRange([
                "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup",
                "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
            ]);
        }
        else
        {
            args.AddRange(["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]);
        }

        args.AddRange(["--die-with-parent", "--new-session"]);

        // A tmpfs root, so the mount points /work and /out can be made; it is remounted read-only last.
        args.AddRange(["--tmpfs", "/"]);
        args.AddRange(setup.RootArguments);
        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        args.AddRange(GpuDevices.BindArguments(request.Limits.GpuCount, setup.GpuDevices ?? []));
        if (request.Limits.DiskBytes > 0)
        {
            args.AddRange(["--size", Number(request.Limits.DiskBytes)]);
        }

        args.AddRange(["--perms", "01777", "--tmpfs", "/tmp"]);
        args.AddRange(["--bind", request.WorkDir, "/work", "--bind", request.OutDir, "/out"]);
        args.AddRange(["--remount-ro", "/", "--chdir", "/work", "--clearenv"]);
        foreach (var (name, value) in JobEnvironment(request.Env, setup.JobPath))
        {
            args.AddRange(["--setenv", name, value]);
        }

        if (setup.SeccompFile is not null)
        {
            args.AddRange(["--seccomp", "9"]);
        }

        args.AddRange(["--json-status-fd", "8"]);
        return args;
    }

    /// <summary>The request's variables, then the sandbox's own, which win: a job cannot move <c>/out</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> JobEnvironment(
        IReadOnlyDictionary<string, string> env, string path = SandboxPath)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!IsVariableName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid environment variable name", nameof(env));
            }

            result[name] = value;
        }

        result["PATH"] = path;
        result["HOME"] = "/work";
        result["OG_WORK"] = "/work";
        result["OG_OUT"] = "/out";
        return [.. result];
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
