using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpenGrid.Protocol.Gateway;

/// <summary>One gateway message per WebSocket text message, JSON, at most <see cref="MaxMessageBytes"/>.</summary>
public static class GatewayFraming
{
    public const int MaxMessageBytes = 1 << 20;

    public static async Task SendAsync<T>(WebSocket socket, T message, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, type);
        await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
    }

    /// <summary>
    /// The next message, or null when the peer closed. Throws <see cref="WebSocketException"/> for an oversized
    /// message, <see cref="JsonException"/> for a malformed one, and OperationCanceledException when cancelled.
    /// </summary>
    public static async Task<T?> ReceiveAsync<T>(WebSocket socket, JsonTypeInfo<T> type, CancellationToken ct) where T : class
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxMessageBytes)
                throw new WebSocketException($"gateway message larger than {MaxMessageBytes} bytes");
            if (result.EndOfMessage)
                break;
        }
        return JsonSerializer.Deserialize(message.GetBuffer().AsSpan(0, (int)message.Length), type);
    }
}
