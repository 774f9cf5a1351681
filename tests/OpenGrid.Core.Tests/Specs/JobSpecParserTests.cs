using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;
using static OpenGrid.Core.Tests.Specs.SpecTexts;

namespace OpenGrid.Core.Tests.Specs;

public class JobSpecParserTests
{
    private const long Mebibyte = 1L << 20;
    private const long Gibibyte = 1L << 30;
    private const long BaseUnitsPerCent = TokenAmount.UnitsPerToken / 100;

    [Fact]
    public void Full_spec_parses_into_the_model()
    {
        const int Replicas = 3;
        const int Quorum = 2;
        const int Processes = 64;
        const long HalfCore = 500;
        const long TenCents = 10 * BaseUnitsPerCent;

        var spec = ParseValid(Full);
        Assert.True(Cid.TryParse(EmptyFileCid, out var cid));

        Assert.Equal("demo", spec.Name);
        Assert.Equal(["sh", "run.sh"], spec.Runtime.Command);
        Assert.Equal(["--verbose"], spec.Runtime.Args);
        Assert.Equal(["sh", "run.sh", "--verbose"], spec.Runtime.Argv);
        Assert.Equal("hello", spec.Runtime.Env["GREETING"]);
        Assert.Equal(
            [new InputSpec("run.sh", "./run.sh", null), new InputSpec("data/input.csv", null, cid)],
            spec.Inputs);
        Assert.Equal([new OutputSpec("result.txt", CompareMode.Text)], spec.Outputs);
        Assert.Equal(
            new ResourceRequest(HalfCore, 128 * Mebibyte, 64 * Mebibyte, new GpuRequest(1, "rtx-4090", 16 * Gibibyte)),
            spec.Resources);
        Assert.Equal(new JobLimits(TimeSpan.FromMinutes(90), Processes), spec.Limits);
        Assert.Equal(NetworkPolicy.None, spec.Network);
        Assert.Equal(new PriceCap(TokenAmount.FromBaseUnits(TenCents), "streaming"), spec.Price);
        Assert.Equal(new VerifyPolicy(Replicas, Quorum), spec.Verify);
        Assert.Equal(["posix-sh", "gpu:cuda"], spec.Requires);
        Assert.Equal(new PlacementPolicy(0.85, "eu-west", TimeSpan.FromMinutes(15)), spec.Placement);
    }

    [Fact]
    public void Minimal_spec_gets_the_documented_defaults()
    {
        var spec = ParseValid(Minimal);

        Assert.Empty(spec.Runtime.Args);
        Assert.Empty(spec.Runtime.Env);
        Assert.Empty(spec.Inputs);
        Assert.Empty(spec.Outputs);
        Assert.Equal(ResourceRequest.Default, spec.Resources);
        Assert.Equal(JobLimits.Default, spec.Limits);
        Assert.Equal(NetworkPolicy.None, spec.Network);
        Assert.Equal(PriceCap.Default, spec.Price);
        Assert.Equal(VerifyPolicy.Single, spec.Verify);
        Assert.Empty(spec.Requires);
        Assert.Equal(PlacementPolicy.Default, spec.Placement);
    }

    [Fact]
    public void Fields_left_out_of_a_section_get_their_defaults()
    {
        var spec = ParseValid(Minimal + "resources: { cpu: 2 }\nlimits: { processes: 8 }\nprice: { mode: streaming }\n");

        Assert.Equal(ResourceRequest.Default with { CpuMillis = 2 * Quantities.MillicoresPerCore }, spec.Resources);
        Assert.Equal(JobLimits.Default with { Processes = 8 }, spec.Limits);
        Assert.Equal(PriceCap.Default with { Mode = "streaming" }, spec.Price);
    }

    [Theory]
    [InlineData("2", 2000)]
    [InlineData("\"2\"", 2000)]
    [InlineData("0.5", 500)]
    [InlineData("500m", 500)]
    [InlineData("\"500m\"", 500)]
    public void Cpu_is_accepted_as_a_yaml_number_or_a_string(string cpu, long expectedMillicores)
    {
        var spec = ParseValid(Minimal + $"resources: {{ cpu: {cpu} }}\n");

        Assert.Equal(expectedMillicores, spec.Resources.CpuMillis);
    }

    [Theory]
    [InlineData("/out/result.txt", "result.txt")]
    [InlineData("result.txt", "result.txt")]
    [InlineData("/out/images/a.png", "images/a.png")]
    [InlineData("/out", JobSpecParser.WholeOutDirectory)]
    [InlineData(".", JobSpecParser.WholeOutDirectory)]
    public void Output_paths_are_stored_relative_to_out(string written, string stored)
    {
        var spec = ParseValid(Minimal + $"outputs: [ {{ path: \"{written}\" }} ]\n");

        Assert.Equal([new OutputSpec(stored, CompareMode.Exact)], spec.Outputs);
    }

    [Theory]
    [InlineData("\"0.10\"", 10 * BaseUnitsPerCent)]
    [InlineData("0.10", 10 * BaseUnitsPerCent)]
    [InlineData("12", 12 * TokenAmount.UnitsPerToken)]
    [InlineData("0.000001", 1)]
    public void Max_price_is_read_exactly_from_the_text(string written, long expectedBaseUnits)
    {
        var spec = ParseValid(Minimal + $"price: {{ maxPerHour: {written} }}\n");

        Assert.Equal(TokenAmount.FromBaseUnits(expectedBaseUnits), spec.Price.MaxPerHour);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    public void Quorum_defaults_to_a_majority_of_replicas(int replicas, int expectedQuorum)
    {
        var spec = ParseValid(Minimal + $"verify: {{ replicas: {replicas} }}\n");

        Assert.Equal(new VerifyPolicy(replicas, expectedQuorum), spec.Verify);
    }

    [Fact]
    public void Values_at_the_edges_of_their_ranges_are_accepted()
    {
        var spec = ParseValid(Minimal + """
            resources: { cpu: 1024, memory: 16Ti, disk: 64Ti, gpu: { count: 16, memory: 1Ti } }
            limits: { timeout: 1s, processes: 65536 }
            verify: { replicas: 16, quorum: 16 }

            """);

        Assert.Equal(JobSpecLimits.MaxCpuMillicores, spec.Resources.CpuMillis);
        Assert.Equal(JobSpecLimits.MaxMemoryBytes, spec.Resources.MemoryBytes);
        Assert.Equal(JobSpecLimits.MaxDiskBytes, spec.Resources.DiskBytes);
        Assert.Equal(JobSpecLimits.MaxGpuCount, spec.Resources.Gpu.Count);
        Assert.Equal(JobSpecLimits.MaxGpuMemoryBytes, spec.Resources.Gpu.MemoryBytes);
        Assert.Equal(new JobLimits(JobSpecLimits.MinTimeout, JobSpecLimits.MaxProcesses), spec.Limits);
        Assert.Equal(new VerifyPolicy(JobSpecLimits.MaxReplicas, JobSpecLimits.MaxReplicas), spec.Verify);
    }

    [Fact]
    public void A_spec_of_exactly_the_maximum_size_is_accepted()
    {
        var padding = new string('#', JobSpecLimits.MaxTextBytes - Minimal.Length - 1) + "\n";

        ParseValid(Minimal + padding);
    }

    public static TheoryData<string, string> GoodSpecs => new()
    {
        { nameof(Minimal), Minimal },
        { nameof(Full), Full },
        { nameof(Awkward), Awkward },
    };

    [Theory]
    [MemberData(nameof(GoodSpecs))]
    public void Good_specs_round_trip_through_the_writer(string name, string yaml)
    {
        var parsed = ParseValid(yaml);

        var written = JobSpecWriter.ToYaml(parsed);
        var reparsed = ParseValid(written);

        SpecAssert.Equivalent(parsed, reparsed);
        Assert.True(written == JobSpecWriter.ToYaml(reparsed), $"{name}: writing the reparsed spec changed the text");
    }

    [Fact]
    public void Awkward_strings_survive_the_round_trip_unchanged()
    {
        var spec = ParseValid(JobSpecWriter.ToYaml(ParseValid(Awkward)));

        Assert.Equal(["true", "null", "", "# not a comment", "it's \"quoted\"", "tab\there", "ünïcødé ✓"], spec.Runtime.Command);
        Assert.Equal(["- dash", "{brace}", "line\nbreak", "~"], spec.Runtime.Args);
        Assert.Equal("", spec.Runtime.Env["EMPTY"]);
        Assert.Equal("1.50", spec.Runtime.Env["A"]);
    }
}
