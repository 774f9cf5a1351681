using System.CommandLine;

namespace OpenGrid.Cli.Commands;

/// <summary>Options several commands share. Each command gets its own instances.</summary>
internal static class CommonOptions
{
    public static Option<string?> Coordinator() => new("--coordinator")
    {
        Description = "Coordinator URL. Default: $OPENGRID_COORDINATOR, else the grid `og dev` is running.",
        HelpName = "URL",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print JSON (the API's wire format) instead of text.",
    };

    public static Argument<string> JobId() => new("id")
    {
        Description = "The job id, as `og submit` printed it.",
    };
}
