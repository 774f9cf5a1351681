using System.Runtime.InteropServices;

namespace OpenGrid.Provider.Sandbox;

/// <summary>The syscall numbers the seccomp policy names, for one architecture (from the kernel's unistd headers).</summary>
internal sealed record SyscallTable(
    string Name,
    uint AuditArch,
    uint SocketNr,
    uint SocketPairNr,
    uint CloneNr,
    uint Clone3Nr,
    uint? ForeignAbiBit,
    IReadOnlyDictionary<string, uint> Refused)
{
    /// <summary>x86_64 (<c>asm/unistd_64.h</c>). Syscalls with bit 30 set are the x32 ABI: refused wholesale.</summary>
    public static readonly SyscallTable X64 = new(
        "x86_64", AuditArch: 0xC000003E, SocketNr: 41, SocketPairNr: 53, CloneNr: 56, Clone3Nr: 435, ForeignAbiBit: 0x40000000,
        new Dictionary<string, uint>
        {
            ["unshare"] = 272,
            ["setns"] = 308,
            ["mount"] = 165,
            ["umount2"] = 166,
            ["pivot_root"] = 155,
            ["ptrace"] = 101,
            ["keyctl"] = 250,
            ["add_key"] = 248,
            ["request_key"] = 249,
            ["bpf"] = 321,
            ["perf_event_open"] = 298,
            ["kexec_load"] = 246,
            ["kexec_file_load"] = 320,
            ["init_module"] = 175,
            ["finit_module"] = 313,
            ["delete_module"] = 176,
            ["open_by_handle_at"] = 304,
            ["userfaultfd"] = 323,
            ["swapon"] = 167,
            ["swapoff"] = 168,
            ["reboot"] = 169,
            ["acct"] = 163,
            ["io_uring_setup"] = 425,
            ["io_uring_enter"] = 426,
            ["io_uring_register"] = 427,
            ["open_tree"] = 428,
            ["move_mount"] = 429,
            ["fsopen"] = 430,
            ["fsconfig"] = 431,
            ["fsmount"] = 432,
            ["fspick"] = 433,
            ["mount_setattr"] = 442,
        });

    /// <summary>aarch64 (<c>asm-generic/unistd.h</c>).</summary>
    public static readonly SyscallTable Arm64 = new(
        "aarch64", AuditArch: 0xC00000B7, SocketNr: 198, SocketPairNr: 199, CloneNr: 220, Clone3Nr: 435, ForeignAbiBit: null,
        new Dictionary<string, uint>
        {
            ["unshare"] = 97,
            ["setns"] = 268,
            ["mount"] = 40,
            ["umount2"] = 39,
            ["pivot_root"] = 41,
            ["ptrace"] = 117,
            ["keyctl"] = 219,
            ["add_key"] = 217,
            ["request_key"] = 218,
            ["bpf"] = 280,
            ["perf_event_open"] = 241,
            ["kexec_load"] = 104,
            ["kexec_file_load"] = 294,
            ["init_module"] = 105,
            ["finit_module"] = 273,
            ["delete_module"] = 106,
            ["open_by_handle_at"] = 265,
            ["userfaultfd"] = 282,
            ["swapon"] = 224,
            ["swapoff"] = 225,
            ["reboot"] = 142,
            ["acct"] = 89,
            ["io_uring_setup"] = 425,
            ["io_uring_enter"] = 426,
            ["io_uring_register"] = 427,
            ["open_tree"] = 428,
            ["move_mount"] = 429,
            ["fsopen"] = 430,
            ["fsconfig"] = 431,
            ["fsmount"] = 432,
            ["fspick"] = 433,
            ["mount_setattr"] = 442,
        });

    /// <summary>The table for <paramref name="architecture"/>, or null where no seccomp policy is defined.</summary>
    public static SyscallTable? For(Architecture architecture) => architecture switch
    {
        Architecture.X64 => X64,
        Architecture.Arm64 => Arm64,
        _ => null,
    };
}
