using OpenGrid.Protocol.Specs;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>Every <c>examples/*/job.yaml</c> in the repository is a valid spec whose local input files exist.</summary>
public class ExampleSpecTests
{
    private const string SolutionFile = "OpenGrid.slnx";
    private const string ExamplesFolder = "examples";
    private const string SpecFileName = "job.yaml";

    /// <summary>The examples the seed promises; more may be added, none of these may go missing.</summary>
    private static readonly string[] PromisedExamples = ["hello", "llm-infer", "sdxl", "mnist-train", "blender-render"];

    public static TheoryData<string> Examples() => new(ExampleNames());

    [Fact]
    public void Every_promised_example_has_a_spec()
    {
        var examples = ExampleNames();

        Assert.All(PromisedExamples, example => Assert.Contains(example, examples));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_spec_parses_and_validates_without_errors(string example)
    {
        var result = Parse(example);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.Equal(example, result.Spec!.Name);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_local_input_of_an_example_exists_next_to_its_spec(string example)
    {
        var folder = Path.Combine(ExamplesRoot(), example);
        var spec = Parse(example).Spec!;

        Assert.All(
            spec.Inputs.Where(input => input.From is not null),
            input => Assert.True(File.Exists(Path.Combine(folder, input.From!)), $"{example}: '{input.From}' is missing"));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_has_a_readme(string example) =>
        Assert.True(File.Exists(Path.Combine(ExamplesRoot(), example, "README.md")), $"{example}: README.md is missing");

    private static List<string> ExampleNames() =>
    [
        .. Directory.GetDirectories(ExamplesRoot())
            .Where(folder => File.Exists(Path.Combine(folder, SpecFileName)))
            .Select(folder => Path.GetFileName(folder))
            .Order(StringComparer.Ordinal),
    ];

    private static SpecParseResult Parse(string example)
    {
        var path = Path.Combine(ExamplesRoot(), example, SpecFileName);
        return JobSpecParser.Parse(File.ReadAllText(path), Path.Combine(ExamplesFolder, example, SpecFileName));
    }

    private static string ExamplesRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                return Path.Combine(dir.FullName, ExamplesFolder);
        }

        throw new InvalidOperationException($"no {SolutionFile} above {AppContext.BaseDirectory}");
    }
}
