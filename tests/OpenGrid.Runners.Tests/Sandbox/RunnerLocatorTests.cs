using OpenGrid.Provider.Runners;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Sandbox;

public sealed class RunnerLocatorTests : IDisposable
{
    private readonly TempDir dir = new("og-runners");

    [Fact]
    public void Keeps_the_existing_absolute_directories_in_order_once_each()
    {
        var a = Directory.CreateDirectory(dir.Combine("a")).FullName;
        var b = Directory.CreateDirectory(dir.Combine("b")).FullName;

        var found = RunnerLocator.Directories($"{b}:relative/dir::{dir.Combine("missing")}:{a}/:{b}");

        Assert.Equal([b, a], found);
    }

    [Fact]
    public void Finds_executables_named_og_dash_and_nothing_else()
    {
        var first = Directory.CreateDirectory(dir.Combine("first")).FullName;
        var second = Directory.CreateDirectory(dir.Combine("second")).FullName;
        Touch(first, "og-llm", executable: true);
        Touch(first, "og-llm.dll", executable: false);
        Touch(first, "other-tool", executable: true);
        Touch(second, "og-llm", executable: true);
        Touch(second, "og-render", executable: true);
        Touch(second, "og-notes", executable: false);

        Assert.Equal(["og-llm", "og-render"], RunnerLocator.Find([first, second]));
    }

    [Fact]
    public void Finds_nothing_when_the_variable_lists_nothing_usable()
    {
        Assert.Empty(RunnerLocator.Find(RunnerLocator.Directories("")));
        Assert.Empty(RunnerLocator.Find(RunnerLocator.Directories(null)));
    }

    public void Dispose() => dir.Dispose();

    private static void Touch(string directory, string name, bool executable)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
              | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
