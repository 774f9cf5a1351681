namespace OpenGrid.Provider.Sandbox;

/// <summary>Settings of the <c>process</c> runtime (<see cref="BubblewrapSandbox"/>). Paths are absolute.</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Provider:Sandbox";

    /// <summary>bubblewrap binary; Debian/Ubuntu: <c>apt-get install -y bubblewrap</c>.</summary>
    public string BwrapPath { get; set; } = "/usr/bin/bwrap";

    /// <summary>util-linux <c>prlimit</c>, used to set rlimits before bwrap starts.</summary>
    public string PrlimitPath { get; set; } = "/usr/bin/prlimit";

    /// <summary>util-linux <c>setpriv</c>, used (when running as root) to start bwrap as <see cref="JobUid"/>.</summary>
    public string SetprivPath { get; set; } = "/usr/bin/setpriv";

    /// <summary>POSIX shell that joins the cgroup and passes the seccomp program on fd 9.</summary>
    public string ShellPath { get; set; } = "/bin/sh";

    /// <summary>Where the cgroup hierarchies are mounted.</summary>
    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>Parent cgroup (relative to each hierarchy's root) under which one child per run is created.</summary>
    public string CgroupParent { get; set; } = "opengrid";

    /// <summary>Host uid and gid the job runs as when the provider runs as root (default: nobody/nogroup).</summary>
    public int JobUid { get; set; } = 65534;

    public int JobGid { get; set; } = 65534;

    /// <summary>Host directories of runners (<c>$OPENGRID_RUNNERS</c>, see <see cref="Runners.RunnerLocator"/>),
    /// mounted read-only in the job at <c>/opt/opengrid/runners/N</c> and put first on its PATH. Default: none.</summary>
    public string[] RunnerDirectories { get; set; } = [];

    /// <summary>RLIMIT_NOFILE of the job.</summary>
    public int MaxOpenFiles { get; set; } = 4096;

    /// <summary>Host entries of <c>/etc</c> the job can read; everything else of <c>/etc</c> stays hidden
    /// (the provider's own keys and configuration may live there).</summary>
    public string[] EtcEntries { get; set; } =
    [
        "passwd", "group", "nsswitch.conf", "hosts", "host.conf", "localtime", "timezone", "ld.so.cache",
        "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl", "ca-certificates", "ca-certificates.conf",
        "fonts", "mime.types", "protocols", "services", "os-release", "debian_version", "magic",
    ];
}
