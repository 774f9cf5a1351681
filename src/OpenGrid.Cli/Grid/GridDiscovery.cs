namespace OpenGrid.Cli.Grid;

/// <summary>A coordinator URL and where og found it (for messages).</summary>
internal sealed record CoordinatorLocation(Uri Url, string Source);

/// <summary>
/// Which coordinator a command talks to, first match wins: <c>--coordinator URL</c>, <c>$OPENGRID_COORDINATOR</c>,
/// <c>./.opengrid/dev/grid.json</c>, <c>$OPENGRID_HOME/dev-grid.json</c> (grid files only while their coordinator
/// process is alive).
/// </summary>
internal static class GridDiscovery
{
    public const string NoCoordinatorMessage = "no coordinator: start one with ./og dev or pass --coordinator URL";

    public static CoordinatorLocation Resolve(string? option, CliEnvironment env)
    {
        if (option is { Length: > 0 })
            return new(ParseUrl(option, "--coordinator"), "--coordinator");
        if (env.GetVariable(CliEnvironment.CoordinatorVariable) is { Length: > 0 } fromEnv)
            return new(ParseUrl(fromEnv, CliEnvironment.CoordinatorVariable), CliEnvironment.CoordinatorVariable);
        foreach (var file in GridFiles(env))
        {
            if (GridFile.TryRead(file) is { CoordinatorAlive: true } grid)
                return new(ParseUrl(grid.Coordinator, file), file);
        }
        throw new CliException(NoCoordinatorMessage, ExitCodes.CoordinatorUnreachable);
    }

    /// <summary>The grid files looked at, in order.</summary>
    public static IReadOnlyList<string> GridFiles(CliEnvironment env) =>
    [
        Path.Combine(env.CurrentDirectory, DevGridPaths.DefaultDataDir, GridFile.FileName),
        Path.Combine(env.Home, GridFile.HomeFileName),
    ];

    /// <summary>An absolute http(s) URL with a trailing slash, so relative API paths resolve under it.</summary>
    public static Uri ParseUrl(string text, string source)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw CliException.InvalidInput($"{source}: '{text}' is not an http:// or https:// URL");
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }
}
