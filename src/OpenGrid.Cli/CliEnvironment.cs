using OpenGrid.Protocol.Identity;

namespace OpenGrid.Cli;

/// <summary>
/// What og reads from its surroundings, passed in so that tests need not mutate the process: environment variables,
/// the current directory, whether stderr is a terminal, and (tests only) the HTTP handler used to reach a coordinator.
/// </summary>
internal sealed record CliEnvironment(Func<string, string?> GetVariable, string CurrentDirectory, bool StderrIsTerminal)
{
    public const string CoordinatorVariable = "OPENGRID_COORDINATOR";

    /// <summary>Creates the handler of every coordinator connection; null means the real network.</summary>
    public Func<HttpMessageHandler>? HttpHandlerFactory { get; init; }

    public static CliEnvironment FromProcess() =>
        new(Environment.GetEnvironmentVariable, Environment.CurrentDirectory, !Console.IsErrorRedirected);

    /// <summary>The account's home: <c>$OPENGRID_HOME</c>, else <c>~/.opengrid</c> (as <see cref="KeyStore.DefaultHome"/>).</summary>
    public string Home =>
        GetVariable(KeyStore.HomeVariable) is { Length: > 0 } home
            ? Path.GetFullPath(home, CurrentDirectory)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".opengrid");

    /// <summary>A path the user typed, made absolute against the current directory.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, CurrentDirectory);
}
