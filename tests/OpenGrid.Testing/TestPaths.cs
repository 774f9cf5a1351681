namespace OpenGrid.Testing;

/// <summary>Where things are: the repository root and the build outputs of sibling projects.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The build configuration folder of the running test assembly (<c>debug</c> or <c>release</c>; a test
    /// project built for a runtime identifier sits in <c>release_linux-x64</c>, whose configuration is <c>release</c>).</summary>
    public static string Configuration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name.Split('_')[0];

    /// <summary>Path of another project's built dll in the artifacts layout, same configuration as the tests.</summary>
    public static string BuiltDll(string project, string assembly)
    {
        var path = Path.Combine(RepoRoot, "artifacts", "bin", project, Configuration, assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution first (dotnet build OpenGrid.slnx -c {Configuration})");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenGrid.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no OpenGrid.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh folder under the system temp dir, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "opengrid-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process we started may still hold a file; the OS temp cleaner gets it.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}

/// <summary>Waiting without sleeping blindly: poll a condition until it holds or the deadline passes.</summary>
public static class WaitFor
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Throws <see cref="TimeoutException"/> naming <paramref name="what"/> if the condition never held.</summary>
    public static async Task ConditionAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            try
            {
                await Task.Delay(Poll, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#}s waiting for {what}");
            }
        }
    }

    /// <summary>Awaits a task with a deadline whose message names what was awaited.</summary>
    public static async Task<T> ResultAsync<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#}s waiting for {what}");
        }
    }
}
