using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

public class SeccompFilterTests
{
    private const uint Allow = SeccompFilter.RetAllow;
    private const uint Eperm = SeccompFilter.RetErrno | SeccompFilter.Eperm;
    private const uint Enosys = SeccompFilter.RetErrno | SeccompFilter.Enosys;
    private const ulong AfUnix = 1;
    private const ulong AfInet = 2;
    private const ulong AfInet6 = 10;
    private const ulong AfNetlink = 16;
    private const ulong CloneNewUser = 0x10000000;
    private const ulong CloneNewNet = 0x40000000;
    private const ulong CloneNewTime = 0x00000080;
    private const ulong SigChld = 17;

    /// <summary>glibc's pthread_create: CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID.</summary>
    private const ulong ThreadFlags = 0x003D0F00;

    public static TheoryData<string> Tables => new() { "x86_64", "aarch64" };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Refuses_sockets_other_than_unix_with_eperm(string arch)
    {
        var (table, program) = Build(arch);

        Assert.Equal(Eperm, Run(table, program, table.SocketNr, AfInet));
        Assert.Equal(Eperm, Run(table, program, table.SocketNr, AfInet6));
        Assert.Equal(Eperm, Run(table, program, table.SocketNr, AfNetlink));
        Assert.Equal(Eperm, Run(table, program, table.SocketPairNr, AfInet));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Allows_unix_sockets(string arch)
    {
        var (table, program) = Build(arch);

        Assert.Equal(Allow, Run(table, program, table.SocketNr, AfUnix));
        Assert.Equal(Allow, Run(table, program, table.SocketPairNr, AfUnix));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Refuses_clone_into_new_namespaces_but_allows_fork_and_threads(string arch)
    {
        var (table, program) = Build(arch);

        Assert.Equal(Eperm, Run(table, program, table.CloneNr, CloneNewUser | SigChld));
        Assert.Equal(Eperm, Run(table, program, table.CloneNr, CloneNewNet));
        Assert.Equal(Eperm, Run(table, program, table.CloneNr, CloneNewTime));
        Assert.Equal(Allow, Run(table, program, table.CloneNr, SigChld));
        Assert.Equal(Allow, Run(table, program, table.CloneNr, ThreadFlags));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Answers_clone3_with_enosys_so_libc_falls_back_to_clone(string arch)
    {
        var (table, program) = Build(arch);

        Assert.Equal(Enosys, Run(table, program, table.Clone3Nr));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Refuses_every_listed_syscall_with_eperm(string arch)
    {
        var (table, program) = Build(arch);

        Assert.Contains("unshare", table.Refused.Keys);
        Assert.Contains("io_uring_setup", table.Refused.Keys);
        Assert.All(table.Refused, syscall => Assert.Equal(Eperm, Run(table, program, syscall.Value)));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Allows_ordinary_syscalls(string arch)
    {
        var (table, program) = Build(arch);
        var ordinary = arch == "x86_64" ? new uint[] { 0, 1, 57, 59, 231 } : [63, 64, 221, 93, 94];

        Assert.All(ordinary, nr => Assert.Equal(Allow, Run(table, program, nr)));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void Kills_a_process_that_calls_in_with_another_architecture(string arch)
    {
        var (table, program) = Build(arch);
        const uint AuditArchI386 = 0x40000003;

        Assert.Equal(SeccompFilter.RetKillProcess, BpfInterpreter.Run(program, AuditArchI386, table.SocketNr, AfInet));
    }

    [Fact]
    public void Refuses_the_x32_abi_on_x86_64()
    {
        var (table, program) = Build("x86_64");
        const uint X32Socket = 0x40000000 | 41;

        Assert.Equal(Eperm, Run(table, program, X32Socket, AfInet));
    }

    [Fact]
    public void Serializes_each_instruction_as_a_little_endian_sock_filter()
    {
        var program = SeccompFilter.Build(SyscallTable.X64);

        var bytes = BpfInstruction.Serialize(program);

        Assert.Equal(program.Count * 8, bytes.Length);
        // ld [4]; jeq #0xC000003E, 1, 0
        Assert.Equal(new byte[] { 0x20, 0, 0, 0, 4, 0, 0, 0, 0x15, 0, 1, 0, 0x3E, 0, 0, 0xC0 }, bytes[..16]);
    }

    [Fact]
    public void Has_no_table_for_architectures_it_does_not_know()
    {
        Assert.Null(SyscallTable.For(System.Runtime.InteropServices.Architecture.S390x));
        Assert.Same(SyscallTable.X64, SyscallTable.For(System.Runtime.InteropServices.Architecture.X64));
    }

    private static (SyscallTable Table, IReadOnlyList<BpfInstruction> Program) Build(string arch)
    {
        var table = arch == "x86_64" ? SyscallTable.X64 : SyscallTable.Arm64;
        return (table, SeccompFilter.Build(table));
    }

    private static uint Run(SyscallTable table, IReadOnlyList<BpfInstruction> program, uint nr, params ulong[] args) =>
        BpfInterpreter.Run(program, table.AuditArch, nr, args);
}
