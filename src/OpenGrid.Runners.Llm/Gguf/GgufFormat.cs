namespace OpenGrid.Runners.Llm.Gguf;

/// <summary>Constants of the GGUF file format (version 3, little-endian), as llama.cpp reads it.</summary>
public static class GgufFormat
{
    /// <summary>"GGUF" read as a little-endian uint32.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>The version this project writes; 2 and 3 are read (1 had 32-bit counts).</summary>
    public const uint Version = 3;

    /// <summary>Tensor data starts on, and each tensor's offset is, a multiple of this unless
    /// <c>general.alignment</c> says otherwise.</summary>
    public const uint DefaultAlignment = 32;

    /// <summary>llama.cpp's GGML_MAX_NAME: a tensor name is shorter than this.</summary>
    public const int MaxTensorNameBytes = 64;

    /// <summary>llama.cpp's GGML_MAX_DIMS.</summary>
    public const int MaxDimensions = 4;

    public const string ArchitectureKey = "general.architecture";
    public const string AlignmentKey = "general.alignment";
}

/// <summary>Types of metadata values (<c>gguf_type</c>).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>
/// Tensor element types (<c>ggml_type</c>): how many elements one block holds and how many bytes it takes.
/// The table is what llama.cpp 0.30's <c>ggml_blck_size</c>/<c>ggml_type_size</c> report; removed and unknown
/// types have no entry.
/// </summary>
public static class GgmlTypes
{
    public const uint F32 = 0;

    private static readonly Dictionary<uint, (string Name, int BlockElements, int BlockBytes)> Table = new()
    {
        [0] = ("f32", 1, 4), [1] = ("f16", 1, 2), [2] = ("q4_0", 32, 18), [3] = ("q4_1", 32, 20),
        [6] = ("q5_0", 32, 22), [7] = ("q5_1", 32, 24), [8] = ("q8_0", 32, 34), [9] = ("q8_1", 32, 36),
        [10] = ("q2_K", 256, 84), [11] = ("q3_K", 256, 110), [12] = ("q4_K", 256, 144), [13] = ("q5_K", 256, 176),
        [14] = ("q6_K", 256, 210), [15] = ("q8_K", 256, 292), [16] = ("iq2_xxs", 256, 66), [17] = ("iq2_xs", 256, 74),
        [18] = ("iq3_xxs", 256, 98), [19] = ("iq1_s", 256, 50), [20] = ("iq4_nl", 32, 18), [21] = ("iq3_s", 256, 110),
        [22] = ("iq2_s", 256, 82), [23] = ("iq4_xs", 256, 136), [24] = ("i8", 1, 1), [25] = ("i16", 1, 2),
        [26] = ("i32", 1, 4), [27] = ("i64", 1, 8), [28] = ("f64", 1, 8), [29] = ("iq1_m", 256, 56),
        [30] = ("bf16", 1, 2), [34] = ("tq1_0", 256, 54), [35] = ("tq2_0", 256, 66), [39] = ("mxfp4", 32, 17),
    };

    /// <summary>The block layout of <paramref name="type"/>, or false for a type llama.cpp does not know.</summary>
    public static bool TryGet(uint type, out string name, out int blockElements, out int blockBytes)
    {
        var known = Table.TryGetValue(type, out var entry);
        (name, blockElements, blockBytes) = known ? entry : ("", 0, 0);
        return known;
    }
}
