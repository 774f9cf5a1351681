namespace OpenGrid.Core.Tests;

public sealed class CoreDependencyTests
{
    [Fact]
    public void Core_references_only_the_base_class_library()
    {
        var references = typeof(ErrorCodes).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        var foreign = references.Where(n => !(n == "System" || n.StartsWith("System.", StringComparison.Ordinal) || n == "netstandard" || n == "mscorlib")).ToList();
        Assert.True(foreign.Count == 0, $"OpenGrid.Core must depend on the BCL only, but references {string.Join(", ", foreign)}");
        Assert.NotEmpty(references);
    }
}
