namespace OpenGrid.Provider.Sandbox;

/// <summary>
/// The job's seccomp policy as a classic-BPF program over <c>struct seccomp_data</c>: other architectures are
/// killed; non-Unix sockets, namespace and mount syscalls, ptrace, keyrings, bpf, perf, modules and io_uring
/// (which could open sockets behind the filter's back) fail with EPERM; clone3 fails with ENOSYS so libc falls
/// back to clone, whose flags the filter can inspect (clone3 passes them in memory). Everything else is allowed.
/// </summary>
internal static class SeccompFilter
{
    public const uint RetKillProcess = 0x80000000;
    public const uint RetErrno = 0x00050000;
    public const uint RetAllow = 0x7FFF0000;
    public const uint Eperm = 1;
    public const uint Enosys = 38;
    public const uint AfUnix = 1;

    /// <summary>CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME.</summary>
    public const uint CloneNewFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000
        | 0x40000000 | 0x00000080;

    // Offsets in struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }.
    public const uint NrOffset = 0;
    public const uint ArchOffset = 4;

    /// <summary>Low 32 bits of args[0]: the socket domain (an int) and clone's flags (the kernel reads only
    /// the low half of legacy clone's flags).</summary>
    public static uint Arg0LowOffset => BitConverter.IsLittleEndian ? 16u : 20u;

    public static IReadOnlyList<BpfInstruction> Build(SyscallTable table)
    {
        var program = new List<BpfInstruction>
        {
            BpfInstruction.Load(ArchOffset),
            BpfInstruction.Jump(BpfInstruction.JumpIfEqual, table.AuditArch, ifTrue: 1, ifFalse: 0),
            BpfInstruction.Ret(RetKillProcess),
            BpfInstruction.Load(NrOffset),
        };

        if (table.ForeignAbiBit is { } bit)
        {
            program.Add(BpfInstruction.Jump(BpfInstruction.JumpIfGreaterOrEqual, bit, ifTrue: 0, ifFalse: 1));
            program.Add(BpfInstruction.Ret(RetErrno | Eperm));
        }

        foreach (var nr in table.Refused.Values.Order())
        {
            program.Add(BpfInstruction.Jump(BpfInstruction.JumpIfEqual, nr, ifTrue: 0, ifFalse: 1));
            program.Add(BpfInstruction.Ret(RetErrno | Eperm));
        }

        program.Add(BpfInstruction.Jump(BpfInstruction.JumpIfEqual, table.Clone3Nr, ifTrue: 0, ifFalse: 1));
        program.Add(BpfInstruction.Ret(RetErrno | Enosys));

        foreach (var socketCall in new[] { table.SocketNr, table.SocketPairNr })
        {
            // Each argument check ends in two returns, so the accumulator may be overwritten.
            program.Add(BpfInstruction.Jump(BpfInstruction.JumpIfEqual, socketCall, ifTrue: 0, ifFalse: 4));
            program.Add(BpfInstruction.Load(Arg0LowOffset));
            program.Add(BpfInstruction.Jump(BpfInstruction.JumpIfEqual, AfUnix, ifTrue: 0, ifFalse: 1));
            program.Add(BpfInstruction.Ret(RetAllow));
            program.Add(BpfInstruction.Ret(RetErrno | Eperm));
        }

        program.Add(BpfInstruction.Jump(BpfInstruction.JumpIfEqual, table.CloneNr, ifTrue: 0, ifFalse: 4));
        program.Add(BpfInstruction.Load(Arg0LowOffset));
        program.Add(BpfInstruction.Jump(BpfInstruction.JumpIfAnyBitSet, CloneNewFlags, ifTrue: 0, ifFalse: 1));
        program.Add(BpfInstruction.Ret(RetErrno | Eperm));
        program.Add(BpfInstruction.Ret(RetAllow));

        program.Add(BpfInstruction.Ret(RetAllow));
        return program;
    }
}
