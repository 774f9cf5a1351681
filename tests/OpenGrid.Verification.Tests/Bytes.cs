using System.Text;

namespace OpenGrid.Verification.Tests;

/// <summary>Helpers to write test content as UTF-8 bytes.</summary>
internal static class Bytes
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
