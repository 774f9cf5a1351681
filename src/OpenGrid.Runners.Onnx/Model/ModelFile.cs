namespace OpenGrid.Runners.Onnx.Model;

/// <summary>
/// Checks on an untrusted model file before ONNX Runtime reads it: it exists, its size is within the cap, and it
/// starts like an ONNX file. ONNX Runtime's parser does the rest (<see cref="DecoderModel.Load"/>).
/// </summary>
internal static class ModelFile
{
    /// <summary>A serialized ModelProto starts with field 1, <c>ir_version</c>, a varint: tag byte 0x08
    /// (protobuf writers emit fields in field-number order and every ONNX writer sets it).</summary>
    private const byte IrVersionTag = 0x08;

    /// <summary>Null when the file may be handed to ONNX Runtime, else why not (one line).</summary>
    public static string? Check(string path, long maxBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            return $"the model file {path} does not exist";
        if (info.Length == 0)
            return $"{path} is empty";
        if (info.Length > maxBytes)
            return $"{path} is {info.Length} bytes, over the {maxBytes} allowed (--max-model-bytes)";

        using var stream = info.OpenRead();
        return stream.ReadByte() == IrVersionTag
            ? null
            : $"{path} is not an ONNX model: it does not start with the ir_version field of a serialized ModelProto";
    }
}
