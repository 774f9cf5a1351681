using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Specs;
using static OpenGrid.Core.Tests.Specs.SpecTexts;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>Each class of bad spec gets its own error, at the offending node, with the field path and what is valid.</summary>
public class JobSpecErrorTests
{
    [Fact]
    public void Error_reads_as_file_line_column_path_message()
    {
        var yaml = Full.With("memory: 128Mi", "memory: 2GB");

        var error = SingleError(yaml);

        var (line, column) = PositionOf(yaml, "2GB");
        Assert.Equal(
            $"job.yaml:{line}:{column}: resources.memory: '2GB' is not a size; use a number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. 512Mi",
            error.ToString());
    }

    [Fact]
    public void Malformed_yaml_becomes_an_error_at_the_position_the_yaml_parser_reports()
    {
        var yaml = Minimal.With("name: demo", "name: demo\n  extra: x");

        var error = SingleError(yaml);

        AssertAt(error, yaml, ": x", "");
        Assert.Contains("mapping", error.Message);
    }

    [Theory]
    [InlineData("[")]
    [InlineData("}")]
    [InlineData("a: 'unterminated")]
    [InlineData("\0")]
    [InlineData("- - -\n  : :")]
    [InlineData("a: *nowhere")]
    [InlineData("%YAML 9.9\n---\na: 1")]
    public void Garbage_is_rejected_without_an_exception(string yaml)
    {
        var result = Parse(yaml);

        Assert.Null(result.Spec);
        Assert.NotEmpty(result.Errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing but a comment\n")]
    public void Empty_spec_is_rejected(string yaml)
    {
        var error = SingleError(yaml);

        Assert.Contains("empty", error.Message);
        Assert.Equal((1, 1), (error.Line, error.Column));
    }

    [Fact]
    public void Unknown_top_level_field_is_rejected_with_a_suggestion_and_the_allowed_fields()
    {
        var yaml = Minimal + "resourcs:\n  cpu: 1\n";

        var error = SingleError(yaml);

        AssertAt(error, yaml, "resourcs", "resourcs");
        Assert.Equal(
            "unknown field 'resourcs'; did you mean 'resources'? " +
            "(allowed here: apiVersion, kind, name, runtime, inputs, outputs, resources, limits, network, price, verify, requires, placement, split)",
            error.Message);
    }

    [Fact]
    public void Unknown_nested_field_is_rejected_with_the_fields_allowed_at_that_level()
    {
        var yaml = Full.With("memory: 128Mi", "memroy: 128Mi");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "memroy", "resources.memroy");
        Assert.Equal("unknown field 'memroy'; did you mean 'memory'? (allowed here: cpu, memory, disk, gpu)", error.Message);
    }

    [Fact]
    public void Unknown_field_without_a_close_match_gets_no_suggestion()
    {
        var error = SingleError(Minimal + "colour: red\n");

        Assert.StartsWith("unknown field 'colour'; allowed here: apiVersion, kind", error.Message);
    }

    [Theory]
    [InlineData("environment", "env")]
    [InlineData("Command", "command")]
    [InlineData("cmd", null)]
    [InlineData("arg", "args")]
    public void Suggestions_catch_typos_case_and_long_forms(string written, string? suggested)
    {
        var yaml = Minimal.With("  command: [sh, run.sh]\n", $"  command: [sh, run.sh]\n  {written}: x\n");

        var error = SingleError(yaml);

        AssertAt(error, yaml, $"{written}:", $"runtime.{written}");
        if (suggested is null)
            Assert.DoesNotContain("did you mean", error.Message);
        else
            Assert.Contains($"did you mean '{suggested}'?", error.Message);
    }

    [Theory]
    [InlineData("resources:\n  cpu: 1", "resources: [cpu, 1]", "[cpu", "resources", "expected a map, got a list")]
    [InlineData("command: [sh, run.sh]", "command: sh run.sh", "sh run.sh", "runtime.command", "expected a list, got 'sh run.sh'")]
    [InlineData("replicas: 3", "replicas: { n: 3 }", "{ n: 3 }", "verify.replicas", "expected a whole number, got a map")]
    [InlineData("name: demo", "name: ~", "~", "name", "expected a name, got nothing (null)")]
    public void Wrong_node_kind_is_rejected_with_what_was_expected(string old, string replacement, string marker, string path, string message)
    {
        var yaml = (Minimal + "resources:\n  cpu: 1\nverify:\n  replicas: 3\n").With(old, replacement);

        var error = SingleError(yaml);

        AssertAt(error, yaml, marker, path);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("cpu: 500m", "cpu: 2 cores", "resources.cpu", "is not a CPU quantity")]
    [InlineData("disk: 64Mi", "disk: 64mb", "resources.disk", "is not a size")]
    [InlineData("timeout: 1h30m", "timeout: 90", "limits.timeout", "is not a duration")]
    [InlineData("memory: 16Gi", "memory: 16 GiB", "resources.gpu.memory", "is not a size")]
    [InlineData("maxPerHour: \"0.10\"", "maxPerHour: \"0.1234567\"", "price.maxPerHour", "is not an amount")]
    [InlineData("maxPerHour: \"0.10\"", "maxPerHour: 1e3", "price.maxPerHour", "is not an amount")]
    public void Bad_unit_is_rejected_with_the_valid_forms(string old, string replacement, string path, string message)
    {
        var yaml = Full.With(old, replacement);

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, replacement, path);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("cpu: 500m", "cpu: 0", "resources.cpu", "valid: 1m to 1024 (cores)")]
    [InlineData("cpu: 500m", "cpu: 1025", "resources.cpu", "valid: 1m to 1024 (cores)")]
    [InlineData("memory: 128Mi", "memory: 1Mi", "resources.memory", "valid: 4Mi to 16Ti")]
    [InlineData("disk: 64Mi", "disk: 65Ti", "resources.disk", "valid: 0 to 64Ti")]
    [InlineData("memory: 16Gi", "memory: 2Ti", "resources.gpu.memory", "valid: 0 to 1Ti")]
    [InlineData("count: 1", "count: 17", "resources.gpu.count", "valid: 0 to 16")]
    [InlineData("timeout: 1h30m", "timeout: 0s", "limits.timeout", "valid: 1s to 7d")]
    [InlineData("timeout: 1h30m", "timeout: 8d", "limits.timeout", "valid: 1s to 7d")]
    [InlineData("processes: 64", "processes: 0", "limits.processes", "valid: 1 to 65536")]
    [InlineData("replicas: 3", "replicas: 17", "verify.replicas", "valid: 1 to 16")]
    [InlineData("quorum: 2", "quorum: -1", "verify.quorum", "valid: 1 to 3")]
    [InlineData("quorum: 2", "quorum: 4", "verify.quorum", "valid: 1 to 3")]
    public void Out_of_range_value_is_rejected_with_the_range(string old, string replacement, string path, string range)
    {
        var yaml = Full.With(old, replacement);

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, replacement, path);
        Assert.Equal($"'{ValueOf(replacement)}' is out of range; {range}", error.Message);
    }

    [Fact]
    public void Missing_required_field_is_reported_at_the_enclosing_map()
    {
        var yaml = Minimal.With("name: demo\n", "");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "apiVersion", "name");
        Assert.Equal("missing required field 'name'", error.Message);
    }

    [Fact]
    public void Missing_runtime_command_is_reported_at_the_runtime_map()
    {
        var yaml = Minimal.With("  command: [sh, run.sh]\n", "");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "kind: process", "runtime.command");
        Assert.Equal("missing required field 'command'", error.Message);
    }

    [Fact]
    public void Duplicate_key_is_rejected_at_the_second_occurrence()
    {
        var yaml = Minimal + "name: other\n";

        var error = SingleError(yaml);

        AssertAt(error, yaml, "name:", "name", occurrence: 2);
        Assert.Equal($"duplicate key 'name'; it is already set at line {PositionOf(yaml, "name:").Line}", error.Message);
    }

    [Fact]
    public void Duplicate_input_path_is_rejected()
    {
        var yaml = Full.With("path: data/input.csv", "path: run.sh");

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, "path: run.sh", "inputs[1].path", occurrence: 2);
        Assert.Equal("duplicate input path 'run.sh'; inputs[0] already uses it", error.Message);
    }

    [Fact]
    public void Input_inside_another_input_is_rejected()
    {
        var yaml = Full.With("path: data/input.csv", "path: run.sh/input.csv");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "run.sh/input.csv", "inputs[1].path");
        Assert.Contains("cannot be both a file and a directory", error.Message);
    }

    [Theory]
    [InlineData("../secret", "must not contain '..'")]
    [InlineData("data/../../etc/passwd", "must not contain '..'")]
    [InlineData("/etc/passwd", "must be relative to the work directory")]
    [InlineData("data//input.csv", "is not normalized; write 'data/input.csv'")]
    [InlineData("./input.csv", "is not normalized; write 'input.csv'")]
    [InlineData("data/", "is not normalized; write 'data'")]
    [InlineData("data\\\\input.csv", "separate directories with '/'")]
    public void Input_path_must_be_relative_and_normalized(string path, string message)
    {
        var yaml = Full.With("path: data/input.csv", $"path: \"{path}\"");

        var error = SingleError(yaml);

        AssertAt(error, yaml, $"\"{path}\"", "inputs[1].path");
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Input_path_longer_than_the_limit_is_rejected()
    {
        var longPath = new string('a', JobSpecLimits.MaxPathLength + 1);
        var yaml = Full.With("path: data/input.csv", $"path: {longPath}");

        var error = SingleError(yaml);

        AssertAt(error, yaml, longPath, "inputs[1].path");
        Assert.Contains($"at most {JobSpecLimits.MaxPathLength}", error.Message);
    }

    [Fact]
    public void Input_with_both_from_and_cid_is_rejected()
    {
        var yaml = Full.With("    from: ./run.sh\n", $"    from: ./run.sh\n    cid: {EmptyFileCid}\n");

        var error = SingleError(yaml);

        AssertAt(error, yaml, EmptyFileCid, "inputs[0].cid");
        Assert.Contains("exactly one of 'from' (a local file) and 'cid'", error.Message);
    }

    [Fact]
    public void Input_with_neither_from_nor_cid_is_rejected_at_the_item()
    {
        var yaml = Full.With("    from: ./run.sh\n", "");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "path: run.sh", "inputs[0]");
        Assert.Contains("needs 'from'", error.Message);
    }

    [Fact]
    public void Bad_cid_is_rejected()
    {
        var yaml = Full.With(EmptyFileCid, "not-a-cid");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "not-a-cid", "inputs[1].cid");
        Assert.Equal("'not-a-cid' is not a CID; expected a CIDv1 in base32, e.g. bafkrei…", error.Message);
    }

    [Theory]
    [InlineData("/tmp/result.txt", "is outside /out")]
    [InlineData("/out/../etc/passwd", "must not contain '..'")]
    [InlineData("/outside.txt", "is outside /out")]
    public void Output_path_must_be_under_out(string path, string message)
    {
        var yaml = Full.With("path: /out/result.txt", $"path: {path}");

        var error = SingleError(yaml);

        AssertAt(error, yaml, path, "outputs[0].path");
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Output_named_twice_in_different_spellings_is_rejected()
    {
        var yaml = Full.With("    compare: text\n", "    compare: text\n  - path: result.txt\n");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "result.txt", "outputs[1].path", occurrence: 2);
        Assert.Equal("duplicate output path 'result.txt'; outputs[0] already names it", error.Message);
    }

    [Theory]
    [InlineData("compare: text", "compare: fuzzy", "outputs[0].compare", "compare 'fuzzy' is not supported; valid: exact, tolerance, image, text")]
    [InlineData("mode: streaming", "mode: upfront", "price.mode", "mode 'upfront' is not supported; valid: milestone, streaming")]
    [InlineData("apiVersion: opengrid/v1", "apiVersion: opengrid/v2", "apiVersion", "apiVersion 'opengrid/v2' is not supported; valid: opengrid/v1")]
    [InlineData("kind: Job", "kind: Jobs", "kind", "kind 'Jobs' is not supported; valid: Job")]
    [InlineData("egress: none", "egress: all", "network.egress", "egress 'all' is not supported in v1; valid: none")]
    public void Value_outside_a_closed_set_is_rejected_with_the_valid_values(string old, string replacement, string path, string message)
    {
        var yaml = Full.With(old, replacement);

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, replacement, path);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Oci_runtime_is_rejected_as_not_yet_supported_without_complaining_about_its_fields()
    {
        var yaml = Minimal.With("  kind: process\n  command: [sh, run.sh]\n", "  kind: oci\n  image: registry.example/app@sha256:abc\n");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "oci", "runtime.kind");
        Assert.Equal("runtime kind 'oci' is not supported yet; valid: process", error.Message);
    }

    [Theory]
    [InlineData("Demo")]
    [InlineData("-demo")]
    [InlineData("demo-")]
    [InlineData("demo_job")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Invalid_job_name_is_rejected(string name)
    {
        var yaml = Minimal.With("name: demo", $"name: {name}");

        var error = SingleError(yaml);

        AssertAt(error, yaml, name, "name");
        Assert.Contains("is not a valid name", error.Message);
    }

    [Theory]
    [InlineData("name: demo", "name: |\n  demo", "name", "is not a valid name")]
    [InlineData("requires: [posix-sh, \"gpu:cuda\"]", "requires:\n  - |\n    posix-sh", "requires[0]", "is not a capability name")]
    public void A_block_scalar_ending_in_a_newline_is_not_a_valid_name(string old, string replacement, string path, string message)
    {
        var yaml = Full.With(old, replacement);

        var error = SingleError(yaml);

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("OG_TOKEN", "reserved for the provider")]
    [InlineData("1ST", "is not a valid variable name")]
    [InlineData("MY-VAR", "is not a valid variable name")]
    public void Invalid_or_reserved_environment_name_is_rejected(string name, string message)
    {
        var yaml = Full.With("GREETING: hello", $"{name}: hello");

        var error = SingleError(yaml);

        AssertAt(error, yaml, name, $"runtime.env.{name}");
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Environment_value_left_empty_is_rejected_with_how_to_write_an_empty_string()
    {
        var yaml = Full.With("GREETING: hello", "GREETING:");

        var error = SingleError(yaml);

        Assert.Equal("runtime.env.GREETING", error.Path);
        Assert.Contains("write \"\" for an empty value", error.Message);
    }

    [Fact]
    public void Empty_command_is_rejected()
    {
        var yaml = Minimal.With("command: [sh, run.sh]", "command: []");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "[]", "runtime.command");
        Assert.Contains("must not be empty", error.Message);
    }

    [Fact]
    public void Empty_program_name_is_rejected()
    {
        var yaml = Minimal.With("command: [sh, run.sh]", "command: [\"\", run.sh]");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "\"\"", "runtime.command[0]");
        Assert.Equal("the program name must not be empty", error.Message);
    }

    [Fact]
    public void Too_many_command_items_are_rejected()
    {
        var items = string.Join(", ", Enumerable.Repeat("x", JobSpecLimits.MaxArgvItems + 1));
        var yaml = Minimal.With("command: [sh, run.sh]", $"command: [{items}]");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "[x", "runtime.command");
        Assert.Contains($"at most {JobSpecLimits.MaxArgvItems}", error.Message);
    }

    [Fact]
    public void Argument_with_a_nul_character_is_rejected()
    {
        var yaml = Full.With("args: [--verbose]", "args: [\"a\\0b\"]");

        var error = SingleError(yaml);

        AssertAt(error, yaml, "\"a", "runtime.args[0]");
        Assert.Contains("NUL", error.Message);
    }

    [Theory]
    [InlineData("Python3")]
    [InlineData("-gpu")]
    [InlineData("has space")]
    public void Invalid_capability_name_is_rejected(string capability)
    {
        var yaml = Full.With("posix-sh", $"\"{capability}\"");

        var error = SingleError(yaml);

        AssertAt(error, yaml, $"\"{capability}\"", "requires[0]");
        Assert.Contains("is not a capability name", error.Message);
    }

    [Fact]
    public void Gpu_model_without_a_gpu_count_is_rejected()
    {
        var yaml = Full.With("count: 1", "count: 0");

        var error = SingleError(yaml);

        AssertAtValueOf(error, yaml, "count: 0", "resources.gpu.count");
        Assert.Contains("count is 0", error.Message);
    }

    [Fact]
    public void Anchors_and_aliases_are_rejected()
    {
        var yaml = Minimal.With("name: demo", "name: &n demo") + "requires: [*n]\n";

        var result = Parse(yaml);

        Assert.Null(result.Spec);
        Assert.Collection(
            result.Errors,
            anchor =>
            {
                AssertAt(anchor, yaml, "&n", "name");
                Assert.Contains("anchors (&n) are not allowed", anchor.Message);
            },
            alias =>
            {
                AssertAt(alias, yaml, "*n", "requires[0]");
                Assert.Contains("aliases (*n) are not allowed", alias.Message);
            });
    }

    [Theory]
    [InlineData("!!str demo", "!!str")]
    [InlineData("!custom demo", "!custom")]
    public void Tags_are_rejected(string value, string tag)
    {
        var yaml = Minimal.With("name: demo", $"name: {value}");

        var error = SingleError(yaml);

        AssertAt(error, yaml, tag, "name");
        Assert.Contains("tags", error.Message);
    }

    [Fact]
    public void Several_documents_are_rejected()
    {
        var yaml = Minimal + "---\n" + Minimal;

        var error = SingleError(yaml);

        AssertAt(error, yaml, "---", "");
        Assert.Contains("single YAML document", error.Message);
    }

    [Fact]
    public void Oversized_text_is_rejected_before_it_is_parsed()
    {
        var yaml = Minimal + new string('#', JobSpecLimits.MaxTextBytes - Minimal.Length + 1);

        var error = SingleError(yaml);

        Assert.Equal((1, 1, ""), (error.Line, error.Column, error.Path));
        Assert.Contains($"larger than {JobSpecLimits.MaxTextBytes / 1024} KiB", error.Message);
    }

    [Fact]
    public void Size_limit_counts_utf8_bytes_not_characters()
    {
        const string ThreeByteCharacter = "€";
        var yaml = Minimal + "# " + string.Concat(Enumerable.Repeat(ThreeByteCharacter, JobSpecLimits.MaxTextBytes / 3));

        Assert.Contains("larger than", SingleError(yaml).Message);
    }

    [Fact]
    public void Text_with_too_many_lines_is_rejected_at_the_first_line_past_the_limit()
    {
        var yaml = Minimal + string.Concat(Enumerable.Repeat("#\n", JobSpecLimits.MaxLines));

        var error = SingleError(yaml);

        Assert.Equal((JobSpecLimits.MaxLines + 1, 1), (error.Line, error.Column));
        Assert.Contains($"longer than {JobSpecLimits.MaxLines} lines", error.Message);
    }

    [Fact]
    public void Deep_nesting_is_rejected_before_the_tree_is_built()
    {
        var depth = JobSpecLimits.MaxNestingDepth + 1;
        var yaml = Minimal + "requires: " + new string('[', depth) + new string(']', depth) + "\n";

        var error = SingleError(yaml);

        Assert.Contains($"more than {JobSpecLimits.MaxNestingDepth} levels", error.Message);
    }

    [Fact]
    public void Independent_errors_are_all_reported_in_document_order()
    {
        var yaml = Full.With("name: demo", "name: Demo").With("memory: 128Mi", "memory: 2GB").With("egress: none", "egress: all");

        var result = Parse(yaml);

        Assert.Equal(["name", "resources.memory", "network.egress"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void A_bad_section_does_not_cascade_into_errors_about_its_fields()
    {
        var yaml = Minimal + "resources: 4\nverify: { replicas: many, quorum: 2 }\n";

        var result = Parse(yaml);

        Assert.Equal(["resources", "verify.replicas"], result.Errors.Select(e => e.Path));
    }
}
