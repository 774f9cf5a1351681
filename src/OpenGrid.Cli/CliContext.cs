using OpenGrid.Cli.Grid;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.Cli;

/// <summary>One run of og: where output goes, what the environment says, and the coordinator clients it opened.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, CliEnvironment env) : IDisposable
{
    private readonly List<HttpClient> _httpClients = [];

    public TextWriter Stdout => stdout;
    public TextWriter Stderr => stderr;
    public CliEnvironment Env => env;

    /// <summary>Writes <c>og: message</c> to stderr: the one line a user sees for a mistake.</summary>
    public void Error(string message) => stderr.WriteLine($"og: {message}");

    /// <summary>The coordinator this command talks to (see <see cref="GridDiscovery"/>) and a client signed in as the account.</summary>
    public OpenGridClient Connect(string? coordinatorOption) => CreateClient(GridDiscovery.Resolve(coordinatorOption, env).Url);

    public OpenGridClient CreateClient(Uri coordinator) => CreateClient(coordinator, LoadIdentity());

    /// <summary>A client signed in as <paramref name="identity"/> (og dev reads its providers' balances this way).</summary>
    public OpenGridClient CreateClient(Uri coordinator, Identity identity)
    {
        var injected = env.HttpHandlerFactory?.Invoke();
        var handler = injected ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        // No overall timeout: log streams and large transfers last as long as they need; Ctrl-C cancels.
        var http = new HttpClient(handler, disposeHandler: injected is null) { BaseAddress = coordinator, Timeout = Timeout.InfiniteTimeSpan };
        _httpClients.Add(http);
        return new OpenGridClient(http, identity);
    }

    private Identity LoadIdentity()
    {
        try
        {
            return KeyStore.LoadOrCreate(env.Home);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or System.Text.Json.JsonException or KeyNotFoundException or FormatException or ArgumentException)
        {
            throw new CliException(
                $"cannot load the account key from {Path.Combine(env.Home, KeyStore.KeyFileName)}: {e.Message}", ExitCodes.Auth);
        }
    }

    public void Dispose()
    {
        foreach (var http in _httpClients)
            http.Dispose();
        _httpClients.Clear();
    }
}
