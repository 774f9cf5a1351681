namespace OpenGrid.Cli;

/// <summary>
/// A mistake or condition the user can act on: printed as one line <c>og: message</c> (or, when
/// <see cref="Lines"/> is set, as those lines verbatim) and og exits with <see cref="ExitCode"/>.
/// </summary>
internal sealed class CliException(string message, int exitCode, IReadOnlyList<string>? lines = null) : Exception(message)
{
    public int ExitCode => exitCode;

    /// <summary>Lines printed as they are instead of the message, e.g. spec errors <c>file:line:col: path: message</c>.</summary>
    public IReadOnlyList<string>? Lines => lines;

    public static CliException InvalidInput(string message) => new(message, ExitCodes.InvalidInput);
}
