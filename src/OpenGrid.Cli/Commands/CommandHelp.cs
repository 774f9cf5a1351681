using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace OpenGrid.Cli.Commands;

/// <summary>
/// Help for a newcomer: System.CommandLine's help, with the command's long description (<see cref="Describe"/>; the
/// one-line description is what the parent's command list shows) and an <c>Examples:</c> section.
/// </summary>
internal sealed class CommandHelp(HelpAction inner) : SynchronousCommandLineAction
{
    /// <summary>Help width, fixed so that help reads the same in every terminal (and in the snapshot tests).</summary>
    public const int Width = 100;

    private static readonly ConditionalWeakTable<Command, string> ExampleText = [];
    private static readonly ConditionalWeakTable<Command, string> LongDescriptions = [];

    public override bool ClearsParseErrors => true;

    /// <summary>Sets the description shown in the command's own help; its short Description stays for command lists.</summary>
    public static void Describe(Command command, string longDescription) =>
        LongDescriptions.AddOrUpdate(command, longDescription);

    /// <summary>Adds examples (lines, without the leading <c>og</c> prompt indentation) to a command's help.</summary>
    public static void Examples(Command command, params string[] lines) =>
        ExampleText.AddOrUpdate(command, string.Join(Environment.NewLine, lines.Select(l => "  " + l)));

    public override int Invoke(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        var shortDescription = command.Description;
        int result;
        try
        {
            if (LongDescriptions.TryGetValue(command, out var longDescription))
                command.Description = longDescription;
            result = inner.Invoke(parseResult);
        }
        finally
        {
            command.Description = shortDescription;
        }
        if (ExampleText.TryGetValue(command, out var examples))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            output.WriteLine(examples);
            output.WriteLine();
        }
        return result;
    }

    /// <summary>Replaces the help option's action on <paramref name="root"/> with one that appends examples.</summary>
    public static CommandHelp Install(Command root)
    {
        var option = root.Options.OfType<HelpOption>().Single();
        var inner = option.Action as HelpAction ?? new HelpAction();
        inner.MaxWidth = Width;
        var help = new CommandHelp(inner);
        option.Action = help;
        return help;
    }
}
