using System.Buffers.Binary;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

/// <summary>Runs a seccomp program the way the kernel does, for the instructions <see cref="SeccompFilter"/> emits.</summary>
internal static class BpfInterpreter
{
    public static uint Run(IReadOnlyList<BpfInstruction> program, uint arch, uint nr, params ulong[] args)
    {
        var data = SeccompData(arch, nr, args);
        uint accumulator = 0;
        var pc = 0;
        while (true)
        {
            Assert.InRange(pc, 0, program.Count - 1);
            var instruction = program[pc];
            switch (instruction.Code)
            {
                case BpfInstruction.LoadWordAbsolute:
                    accumulator = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)instruction.K, 4));
                    pc++;
                    break;
                case BpfInstruction.JumpIfEqual:
                    pc += 1 + (accumulator == instruction.K ? instruction.JumpIfTrue : instruction.JumpIfFalse);
                    break;
                case BpfInstruction.JumpIfGreaterOrEqual:
                    pc += 1 + (accumulator >= instruction.K ? instruction.JumpIfTrue : instruction.JumpIfFalse);
                    break;
                case BpfInstruction.JumpIfAnyBitSet:
                    pc += 1 + ((accumulator & instruction.K) != 0 ? instruction.JumpIfTrue : instruction.JumpIfFalse);
                    break;
                case BpfInstruction.Return:
                    return instruction.K;
                default:
                    Assert.Fail($"unexpected BPF opcode 0x{instruction.Code:x} at {pc}");
                    return 0;
            }
        }
    }

    /// <summary>struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }, little-endian.</summary>
    private static byte[] SeccompData(uint arch, uint nr, ulong[] args)
    {
        var data = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), arch);
        for (var i = 0; i < args.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16 + (8 * i)), args[i]);
        }

        return data;
    }
}
