using OpenGrid.Protocol.Identity;

namespace OpenGrid.Cli.Tests;

/// <summary>What one in-process run of og printed and returned.</summary>
internal sealed record OgResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// Runs og in-process with its own current directory, $OPENGRID_HOME and environment variables (the test process's
/// environment is never read or changed), and optionally a fake coordinator.
/// </summary>
internal sealed class OgRunner(string currentDirectory, string home)
{
    private readonly Dictionary<string, string> _variables = new() { [KeyStore.HomeVariable] = home };

    public string CurrentDirectory => currentDirectory;
    public string Home => home;
    public HttpMessageHandler? Coordinator { get; init; }

    public OgRunner WithVariable(string name, string value)
    {
        _variables[name] = value;
        return this;
    }

    public CliEnvironment Environment => new(name => _variables.GetValueOrDefault(name), currentDirectory, StderrIsTerminal: false)
    {
        HttpHandlerFactory = Coordinator is { } fake ? () => fake : null,
    };

    public async Task<OgResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, Environment, CancellationToken.None);
        return new OgResult(code, stdout.ToString(), stderr.ToString());
    }
}
