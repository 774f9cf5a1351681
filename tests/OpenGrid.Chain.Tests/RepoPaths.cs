namespace OpenGrid.Chain.Tests;

/// <summary>Locates the checkout the tests run from (the folder holding OpenGrid.slnx).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Contracts => Path.Combine(Root, "contracts");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenGrid.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no OpenGrid.slnx above {AppContext.BaseDirectory}");
    }
}
