using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace OpenGrid.Cli.Commands;

/// <summary>
/// Help that ends with worked examples: System.CommandLine's help for the command, then an <c>Examples:</c> section
/// registered with <see cref="Examples"/>.
/// </summary>
internal sealed class CommandHelp(HelpAction inner) : SynchronousCommandLineAction
{
    /// <summary>Help width, fixed so that help reads the same in every terminal (and in the snapshot tests).</summary>
    public const int Width = 100;

    private static readonly ConditionalWeakTable<Command, string> ExampleText = [];

    public override bool ClearsParseErrors => true;

    /// <summary>Adds examples (lines, without the leading <c>og</c> prompt indentation) to a command's help.</summary>
    public static void Examples(Command command, params string[] lines) =>
        ExampleText.AddOrUpdate(command, string.Join(Environment.NewLine, lines.Select(l => "  " + l)));

    public override int Invoke(ParseResult parseResult)
    {
        var result = inner.Invoke(parseResult);
        if (ExampleText.TryGetValue(parseResult.CommandResult.Command, out var examples))
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
