namespace OpenGrid.Runners.Onnx.Model;

/// <summary>The model file is not an image decoder og-onnx accepts; the message is the one line the user sees.</summary>
internal sealed class ModelRefusedException(string message, Exception? inner = null) : Exception(message, inner);
