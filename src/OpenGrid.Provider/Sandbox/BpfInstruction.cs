using System.Buffers.Binary;

namespace OpenGrid.Provider.Sandbox;

/// <summary>One classic-BPF instruction, laid out as the kernel's <c>struct sock_filter</c> (8 bytes).</summary>
internal readonly record struct BpfInstruction(ushort Code, byte JumpIfTrue, byte JumpIfFalse, uint K)
{
    public const ushort LoadWordAbsolute = 0x20;   // BPF_LD | BPF_W | BPF_ABS
    public const ushort JumpIfEqual = 0x15;        // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JumpIfGreaterOrEqual = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    public const ushort JumpIfAnyBitSet = 0x45;    // BPF_JMP | BPF_JSET | BPF_K
    public const ushort Return = 0x06;             // BPF_RET | BPF_K

    public const int Size = 8;

    public static BpfInstruction Load(uint offset) => new(LoadWordAbsolute, 0, 0, offset);

    public static BpfInstruction Ret(uint value) => new(Return, 0, 0, value);

    public static BpfInstruction Jump(ushort code, uint k, byte ifTrue, byte ifFalse) => new(code, ifTrue, ifFalse, k);

    /// <summary>Serializes a program in the machine's byte order, as <c>bwrap --seccomp FD</c> reads it.</summary>
    public static byte[] Serialize(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            var slot = bytes.AsSpan(i * Size, Size);
            var instruction = program[i];
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(slot, instruction.Code);
                BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], instruction.K);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(slot, instruction.Code);
                BinaryPrimitives.WriteUInt32BigEndian(slot[4..], instruction.K);
            }

            slot[2] = instruction.JumpIfTrue;
            slot[3] = instruction.JumpIfFalse;
        }

        return bytes;
    }
}
