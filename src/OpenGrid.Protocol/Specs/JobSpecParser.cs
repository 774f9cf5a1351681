using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Core.Specs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static OpenGrid.Protocol.Specs.SpecNodeReader;

namespace OpenGrid.Protocol.Specs;

/// <summary>
/// Parses and validates job spec v1 YAML (docs/job-spec.md) into a <see cref="JobSpec"/>. Strict: unknown fields,
/// duplicate keys, anchors, aliases, tags and several documents are errors. Never throws on bad input; every error
/// found is returned with its file, line, column and field path. The CLI and the coordinator use the same parser.
/// </summary>
public static partial class JobSpecParser
{
    public const string KindJob = "Job";
    public const string RuntimeProcess = "process";
    public const string RuntimeOci = "oci";
    public const string EgressNone = "none";
    public const string OutDirectory = "/out";

    /// <summary>The path an output takes to mean the whole <c>/out</c> directory.</summary>
    public const string WholeOutDirectory = ".";

    public static readonly IReadOnlyList<string> PriceModes = ["milestone", "streaming"];

    private static readonly string[] RootFields =
        ["apiVersion", "kind", "name", "runtime", "inputs", "outputs", "resources", "limits", "network", "price", "verify", "requires", "placement", "split"];
    private static readonly string[] RuntimeFields = ["kind", "command", "args", "env"];
    private static readonly string[] InputFields = ["path", "from", "cid"];
    private static readonly string[] OutputFields = ["path", "compare"];
    private static readonly string[] ResourceFields = ["cpu", "memory", "disk", "gpu"];
    private static readonly string[] GpuFields = ["count", "model", "memory"];
    private static readonly string[] LimitFields = ["timeout", "processes"];
    private static readonly string[] NetworkFields = ["egress"];
    private static readonly string[] PriceFields = ["maxPerHour", "mode"];
    private static readonly string[] VerifyFields = ["replicas", "quorum", "adaptive", "donateAsCanary"];
    private static readonly string[] PlacementFields = ["minReputation", "region", "maxStartDelay"];
    private static readonly string[] SplitFields = ["frames"];

    private static readonly IReadOnlyList<string> CompareNames =
        [.. Enum.GetValues<CompareMode>().Select(mode => mode.ToString().ToLowerInvariant())];

    // \z, not $: '$' also matches before a final newline, which a block scalar (|) ends with.
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?\\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*\\z")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9:._-]*\\z")]
    private static partial Regex CapabilityPattern();

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?\\z")]
    private static partial Regex DecimalPattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?\\z")]
    private static partial Regex RegionPattern();

    /// <summary>Parses <paramref name="yamlText"/>; <paramref name="fileName"/> is only used in error positions.</summary>
    public static SpecParseResult Parse(string yamlText, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(fileName);
        var reader = new SpecNodeReader(fileName);
        if (!CheckSize(yamlText, reader) || !YamlSafetyScan.Check(yamlText, reader))
            return SpecParseResult.Invalid(reader.Errors);

        var root = Load(yamlText, reader);
        var spec = root is null ? null : ReadJob(root, reader);
        return spec is not null && reader.ErrorCount == 0
            ? SpecParseResult.Valid(spec)
            : SpecParseResult.Invalid(reader.Errors);
    }

    // Where errors about the text as a whole point: line 1, column 1.
    private static readonly Mark TextStart = new(0, 1, 1);

    private static bool CheckSize(string text, SpecNodeReader reader)
    {
        // A char is at least one UTF-8 byte, so an over-long string is rejected without encoding it.
        if (text.Length > JobSpecLimits.MaxTextBytes || Encoding.UTF8.GetByteCount(text) > JobSpecLimits.MaxTextBytes)
        {
            reader.Report(TextStart, "", $"the spec is larger than {JobSpecLimits.MaxTextBytes / 1024} KiB");
            return false;
        }

        var lines = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' && ++lines == JobSpecLimits.MaxLines && i + 1 < text.Length)
            {
                reader.Report(new Mark(i + 1, lines + 1, 1), "", $"the spec is longer than {JobSpecLimits.MaxLines} lines");
                return false;
            }
        }

        return true;
    }

    private static YamlNode? Load(string text, SpecNodeReader reader)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            // The safety scan has already parsed this text, so this is not expected; report it all the same.
            reader.Report(ex.Start, "", ex.Message);
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            reader.Report(TextStart, "", "the spec is empty; expected a map with apiVersion, kind, name and runtime");
            return null;
        }

        return stream.Documents[0].RootNode;
    }

    private static JobSpec? ReadJob(YamlNode root, SpecNodeReader r)
    {
        var map = r.ExpectMap(root, "");
        if (map is null)
            return null;
        var f = r.Fields(map, "", RootFields);

        if (f.Required("apiVersion") is { } apiVersion)
            r.ExpectChoice(apiVersion, "apiVersion", "apiVersion", [JobSpec.ApiVersionV1]);
        if (f.Required("kind") is { } kind)
            r.ExpectChoice(kind, "kind", "kind", [KindJob]);
        var name = f.Required("name") is { } nameNode ? ReadName(nameNode, r) : null;
        var runtime = f.Required("runtime") is { } runtimeNode ? ReadRuntime(runtimeNode, r) : null;
        var inputs = f.Optional("inputs") is { } inputsNode ? ReadInputs(inputsNode, r) : [];
        var outputs = f.Optional("outputs") is { } outputsNode ? ReadOutputs(outputsNode, r) : [];
        var resources = f.Optional("resources") is { } resourcesNode ? ReadResources(resourcesNode, r) : ResourceRequest.Default;
        var limits = f.Optional("limits") is { } limitsNode ? ReadLimits(limitsNode, r) : JobLimits.Default;
        var network = f.Optional("network") is { } networkNode ? ReadNetwork(networkNode, r) : NetworkPolicy.None;
        var price = f.Optional("price") is { } priceNode ? ReadPrice(priceNode, r) : PriceCap.Default;
        var verify = f.Optional("verify") is { } verifyNode ? ReadVerify(verifyNode, r) : VerifyPolicy.Single;
        var requires = f.Optional("requires") is { } requiresNode ? ReadRequires(requiresNode, r) : [];
        var placement = f.Optional("placement") is { } placementNode ? ReadPlacement(placementNode, r) : PlacementPolicy.Default;
        var split = f.Optional("split") is { } splitNode ? ReadSplit(splitNode, runtime, r) : null;

        if (name is null || runtime is null)
            return null;
        return new JobSpec
        {
            Name = name,
            Runtime = runtime,
            Inputs = inputs,
            Outputs = outputs,
            Resources = resources,
            Limits = limits,
            Network = network,
            Price = price,
            Verify = verify,
            Requires = requires,
            Placement = placement,
            Split = split,
        };
    }

    private static string? ReadName(YamlNode node, SpecNodeReader r)
    {
        var name = r.ExpectScalar(node, "name", "a name");
        if (name is null)
            return null;
        if (name.Length <= JobSpecLimits.MaxNameLength && NamePattern().IsMatch(name))
            return name;
        r.Report(node, "name", $"{Quote(name)} is not a valid name; use 1 to {JobSpecLimits.MaxNameLength} lower-case " +
            "letters, digits and '-', starting and ending with a letter or digit, e.g. mnist-train");
        return null;
    }

    private static ProcessRuntime? ReadRuntime(YamlNode node, SpecNodeReader r)
    {
        const string path = "runtime";
        var map = r.ExpectMap(node, path);
        if (map is null)
            return null;

        // The kind decides which fields are allowed, so it is checked first; another kind's fields are not
        // reported one by one.
        var kindNode = Find(map, "kind");
        if (kindNode is null)
        {
            r.Report(map, Field(path, "kind"), $"missing required field 'kind'; valid: {RuntimeProcess}");
            return null;
        }

        var kind = r.ExpectScalar(kindNode, Field(path, "kind"), $"a runtime kind ({RuntimeProcess})");
        if (kind is null)
            return null;
        if (kind != RuntimeProcess)
        {
            var notYet = kind == RuntimeOci ? " yet" : "";
            r.Report(kindNode, Field(path, "kind"), $"runtime kind {Quote(kind)} is not supported{notYet}; valid: {RuntimeProcess}");
            return null;
        }

        var f = r.Fields(map, path, RuntimeFields);
        var commandNode = f.Required("command");
        var command = commandNode is null ? null : ReadCommand(commandNode, Field(path, "command"), r);
        var args = f.Optional("args") is { } argsNode ? ReadArgv(argsNode, Field(path, "args"), r) : [];
        var env = f.Optional("env") is { } envNode ? ReadEnv(envNode, Field(path, "env"), r) : new Dictionary<string, string>();
        return command is null || args is null || env is null ? null : new ProcessRuntime(command, args, env);
    }

    private static List<string>? ReadCommand(YamlNode node, string path, SpecNodeReader r)
    {
        var command = ReadArgv(node, path, r);
        if (command is { Count: 0 })
        {
            r.Report(node, path, "must not be empty; give the program and its arguments, e.g. [sh, run.sh]");
            return null;
        }

        if (command is [{ Length: 0 }, ..])
        {
            r.Report(((YamlSequenceNode)node).Children[0], Item(path, 0), "the program name must not be empty");
            return null;
        }

        return command;
    }

    private static List<string>? ReadArgv(YamlNode node, string path, SpecNodeReader r)
    {
        var list = r.ExpectList(node, path, JobSpecLimits.MaxArgvItems);
        if (list is null)
            return null;
        var items = new List<string>();
        var ok = true;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = r.ExpectString(list.Children[i], Item(path, i), JobSpecLimits.MaxArgLength);
            if (item is null)
                ok = false;
            else
                items.Add(item);
        }

        return ok ? items : null;
    }

    private static Dictionary<string, string>? ReadEnv(YamlNode node, string path, SpecNodeReader r)
    {
        var map = r.ExpectMap(node, path);
        if (map is null)
            return null;
        if (map.Children.Count > JobSpecLimits.MaxEnvEntries)
        {
            r.Report(map, path, $"has {map.Children.Count} variables; at most {JobSpecLimits.MaxEnvEntries} are allowed");
            return null;
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? "";
            var variablePath = Field(path, name);
            if (name.Length > JobSpecLimits.MaxEnvNameLength || !EnvNamePattern().IsMatch(name))
            {
                r.Report(keyNode, variablePath, $"{Quote(name)} is not a valid variable name; use letters, digits and '_', " +
                    $"not starting with a digit, at most {JobSpecLimits.MaxEnvNameLength} characters");
                ok = false;
                continue;
            }

            if (name.StartsWith(JobSpecLimits.ReservedEnvPrefix, StringComparison.Ordinal))
            {
                r.Report(keyNode, variablePath, $"names starting with '{JobSpecLimits.ReservedEnvPrefix}' are reserved for the provider");
                ok = false;
                continue;
            }

            if (valueNode is YamlScalarNode scalar && IsNull(scalar))
            {
                r.Report(valueNode, variablePath, "expected a string, got nothing (null); write \"\" for an empty value");
                ok = false;
                continue;
            }

            var value = r.ExpectString(valueNode, variablePath, JobSpecLimits.MaxEnvValueLength);
            if (value is null)
                ok = false;
            else
                env[name] = value;
        }

        return ok ? env : null;
    }

    private static List<InputSpec> ReadInputs(YamlNode node, SpecNodeReader r)
    {
        const string path = "inputs";
        var list = r.ExpectList(node, path, JobSpecLimits.MaxInputs);
        if (list is null)
            return [];
        var inputs = new List<InputSpec>();
        var placed = new List<(string Path, int Index, YamlNode Node)>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemPath = Item(path, i);
            var map = r.ExpectMap(list.Children[i], itemPath);
            if (map is null)
                continue;
            var f = r.Fields(map, itemPath, InputFields);

            string? inputPath = null;
            if (f.Required("path") is { } pathNode)
            {
                inputPath = ReadRelativePath(pathNode, Field(itemPath, "path"), r);
                if (inputPath is not null && CheckInputPlacement(inputPath, i, pathNode, placed, Field(itemPath, "path"), r))
                    placed.Add((inputPath, i, pathNode));
            }

            var fromNode = f.Optional("from");
            var cidNode = f.Optional("cid");
            if (fromNode is not null && cidNode is not null)
            {
                r.Report(cidNode, Field(itemPath, "cid"), "an input takes exactly one of 'from' (a local file) and 'cid' (stored content), not both");
                continue;
            }

            if (fromNode is null && cidNode is null)
            {
                r.Report(map, itemPath, "an input needs 'from' (a local file to upload) or 'cid' (content already stored)");
                continue;
            }

            var from = fromNode is null ? null : ReadFrom(fromNode, Field(itemPath, "from"), r);
            Cid? cid = cidNode is null ? null : ReadCid(cidNode, Field(itemPath, "cid"), r);
            if (inputPath is not null && (from is not null || cid is not null))
                inputs.Add(new InputSpec(inputPath, from, cid));
        }

        return inputs;
    }

    // Two inputs cannot share a path, and one cannot sit inside another (a file cannot also be a directory).
    private static bool CheckInputPlacement(
        string inputPath, int index, YamlNode node, List<(string Path, int Index, YamlNode Node)> placed, string path, SpecNodeReader r)
    {
        foreach (var other in placed)
        {
            if (other.Path == inputPath)
            {
                r.Report(node, path, $"duplicate input path {Quote(inputPath)}; {Item("inputs", other.Index)} already uses it");
                return false;
            }

            var (outer, inner) = inputPath.Length < other.Path.Length ? (inputPath, other.Path) : (other.Path, inputPath);
            if (inner.StartsWith(outer + "/", StringComparison.Ordinal))
            {
                r.Report(node, path, $"input path {Quote(inputPath)} overlaps {Item("inputs", other.Index)} " +
                    $"({Quote(other.Path)}): '{outer}' cannot be both a file and a directory");
                return false;
            }
        }

        return true;
    }

    private static string? ReadFrom(YamlNode node, string path, SpecNodeReader r)
    {
        var from = r.ExpectString(node, path, JobSpecLimits.MaxFromLength);
        if (from is { Length: 0 })
        {
            r.Report(node, path, "must name a local file, relative to the spec's folder, e.g. ./train.py");
            return null;
        }

        return from;
    }

    private static Cid? ReadCid(YamlNode node, string path, SpecNodeReader r)
    {
        var text = r.ExpectScalar(node, path, "a CID");
        if (text is null)
            return null;
        if (Cid.TryParse(text, out var cid))
            return cid;
        r.Report(node, path, $"{Quote(text)} is not a CID; expected a CIDv1 in base32, e.g. bafkrei…");
        return null;
    }

    /// <summary>A normalized relative path: no leading '/', no '.', '..' or empty segments, '/' as the separator.</summary>
    private static string? ReadRelativePath(YamlNode node, string path, SpecNodeReader r)
    {
        var text = r.ExpectString(node, path, JobSpecLimits.MaxPathLength);
        if (text is null)
            return null;
        var problem = RelativePathProblem(text);
        if (problem is null)
            return text;
        r.Report(node, path, problem);
        return null;
    }

    private static string? RelativePathProblem(string text)
    {
        if (text.Length == 0)
            return "must not be empty";
        if (text.Contains('\\'))
            return $"{Quote(text)} uses '\\'; separate directories with '/'";
        if (text.StartsWith('/'))
            return $"{Quote(text)} must be relative to the work directory (no leading '/')";
        var segments = text.Split('/');
        if (segments.Contains(".."))
            return $"{Quote(text)} must not contain '..'";
        if (segments.Any(s => s is "" or "."))
        {
            var normalized = string.Join('/', segments.Where(s => s is not ("" or ".")));
            return normalized.Length == 0
                ? $"{Quote(text)} must name a file, e.g. data/input.csv"
                : $"{Quote(text)} is not normalized; write {Quote(normalized)}";
        }

        return null;
    }

    private static List<OutputSpec> ReadOutputs(YamlNode node, SpecNodeReader r)
    {
        const string path = "outputs";
        var list = r.ExpectList(node, path, JobSpecLimits.MaxOutputs);
        if (list is null)
            return [];
        var outputs = new List<OutputSpec>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemPath = Item(path, i);
            var map = r.ExpectMap(list.Children[i], itemPath);
            if (map is null)
                continue;
            var f = r.Fields(map, itemPath, OutputFields);

            string? outputPath = null;
            if (f.Required("path") is { } pathNode)
            {
                outputPath = ReadOutputPath(pathNode, Field(itemPath, "path"), r);
                if (outputPath is not null && !seen.TryAdd(outputPath, i))
                {
                    r.Report(pathNode, Field(itemPath, "path"),
                        $"duplicate output path {Quote(outputPath)}; {Item(path, seen[outputPath])} already names it");
                    outputPath = null;
                }
            }

            var compare = CompareMode.Exact;
            if (f.Optional("compare") is { } compareNode)
            {
                var name = r.ExpectChoice(compareNode, Field(itemPath, "compare"), "compare", CompareNames);
                if (name is null)
                    continue;
                compare = Enum.Parse<CompareMode>(name, ignoreCase: true);
            }

            if (outputPath is not null)
                outputs.Add(new OutputSpec(outputPath, compare));
        }

        return outputs;
    }

    // Outputs live under /out: "/out/x" and "x" are the same output, stored as "x"; "/out" or "." is all of it.
    private static string? ReadOutputPath(YamlNode node, string path, SpecNodeReader r)
    {
        var text = r.ExpectString(node, path, JobSpecLimits.MaxPathLength);
        if (text is null)
            return null;
        if (text is OutDirectory or OutDirectory + "/" or WholeOutDirectory)
            return WholeOutDirectory;

        var relative = text.StartsWith(OutDirectory + "/", StringComparison.Ordinal) ? text[(OutDirectory.Length + 1)..] : text;
        var problem = relative.StartsWith('/')
            ? $"{Quote(text)} is outside {OutDirectory}; write a path under {OutDirectory}, e.g. {OutDirectory}/result.txt or result.txt"
            : RelativePathProblem(relative);
        if (problem is null)
            return relative;
        r.Report(node, path, problem);
        return null;
    }

    private static ResourceRequest ReadResources(YamlNode node, SpecNodeReader r)
    {
        const string path = "resources";
        var defaults = ResourceRequest.Default;
        var map = r.ExpectMap(node, path);
        if (map is null)
            return defaults;
        var f = r.Fields(map, path, ResourceFields);

        var cpu = f.Optional("cpu") is { } cpuNode
            ? ReadCpu(cpuNode, Field(path, "cpu"), r) ?? defaults.CpuMillis
            : defaults.CpuMillis;
        var memory = f.Optional("memory") is { } memoryNode
            ? ReadSize(memoryNode, Field(path, "memory"), JobSpecLimits.MinMemoryBytes, JobSpecLimits.MaxMemoryBytes, r) ?? defaults.MemoryBytes
            : defaults.MemoryBytes;
        var disk = f.Optional("disk") is { } diskNode
            ? ReadSize(diskNode, Field(path, "disk"), 0, JobSpecLimits.MaxDiskBytes, r) ?? defaults.DiskBytes
            : defaults.DiskBytes;
        var gpu = f.Optional("gpu") is { } gpuNode ? ReadGpu(gpuNode, Field(path, "gpu"), r) : defaults.Gpu;
        return new ResourceRequest(cpu, memory, disk, gpu);
    }

    private static long? ReadCpu(YamlNode node, string path, SpecNodeReader r)
    {
        var text = r.ExpectScalar(node, path, "a CPU quantity");
        if (text is null)
            return null;
        if (!Quantities.TryParseCpu(text, out var millicores, out var error))
        {
            r.Report(node, path, error);
            return null;
        }

        if (millicores > 0 && millicores <= JobSpecLimits.MaxCpuMillicores)
            return millicores;
        r.Report(node, path, $"{Quote(text)} is out of range; valid: 1m to {Quantities.FormatCpu(JobSpecLimits.MaxCpuMillicores)} (cores)");
        return null;
    }

    private static long? ReadSize(YamlNode node, string path, long min, long max, SpecNodeReader r)
    {
        var text = r.ExpectScalar(node, path, "a size");
        if (text is null)
            return null;
        if (!Quantities.TryParseBytes(text, out var bytes, out var error))
        {
            r.Report(node, path, error);
            return null;
        }

        if (bytes >= min && bytes <= max)
            return bytes;
        r.Report(node, path, $"{Quote(text)} is out of range; valid: {Quantities.FormatBytes(min)} to {Quantities.FormatBytes(max)}");
        return null;
    }

    private static GpuRequest ReadGpu(YamlNode node, string path, SpecNodeReader r)
    {
        var map = r.ExpectMap(node, path);
        if (map is null)
            return GpuRequest.None;
        var f = r.Fields(map, path, GpuFields);
        var count = f.Optional("count") is { } countNode
            ? r.ExpectInt(countNode, Field(path, "count"), 0, JobSpecLimits.MaxGpuCount)
            : 0;
        string? model = null;
        if (f.Optional("model") is { } modelNode)
        {
            model = r.ExpectString(modelNode, Field(path, "model"), JobSpecLimits.MaxGpuModelLength);
            if (model is { Length: 0 })
            {
                r.Report(modelNode, Field(path, "model"), "must not be empty; leave 'model' out to accept any GPU");
                model = null;
            }
        }

        var memory = f.Optional("memory") is { } memoryNode
            ? ReadSize(memoryNode, Field(path, "memory"), 0, JobSpecLimits.MaxGpuMemoryBytes, r) ?? 0
            : 0;

        if (count == 0 && (model is not null || memory > 0))
        {
            r.Report(f.Optional("count") ?? map, Field(path, "count"),
                "a GPU model or memory is given but count is 0; set count to 1 or more");
        }

        return new GpuRequest(count ?? 0, model, memory);
    }

    private static JobLimits ReadLimits(YamlNode node, SpecNodeReader r)
    {
        const string path = "limits";
        var defaults = JobLimits.Default;
        var map = r.ExpectMap(node, path);
        if (map is null)
            return defaults;
        var f = r.Fields(map, path, LimitFields);
        var timeout = f.Optional("timeout") is { } timeoutNode
            ? ReadDuration(timeoutNode, Field(path, "timeout"), JobSpecLimits.MinTimeout, JobSpecLimits.MaxTimeout, r) ?? defaults.Timeout
            : defaults.Timeout;
        var processes = f.Optional("processes") is { } processesNode
            ? r.ExpectInt(processesNode, Field(path, "processes"), JobSpecLimits.MinProcesses, JobSpecLimits.MaxProcesses) ?? defaults.Processes
            : defaults.Processes;
        return new JobLimits(timeout, processes);
    }

    private static TimeSpan? ReadDuration(YamlNode node, string path, TimeSpan min, TimeSpan max, SpecNodeReader r)
    {
        var text = r.ExpectScalar(node, path, "a duration");
        if (text is null)
            return null;
        if (!Quantities.TryParseDuration(text, out var duration, out var error))
        {
            r.Report(node, path, error);
            return null;
        }

        if (duration >= min && duration <= max)
            return duration;
        r.Report(node, path, $"{Quote(text)} is out of range; valid: " +
            $"{Quantities.FormatDuration(min)} to {Quantities.FormatDuration(max)}");
        return null;
    }

    private static NetworkPolicy ReadNetwork(YamlNode node, SpecNodeReader r)
    {
        const string path = "network";
        var map = r.ExpectMap(node, path);
        if (map is null)
            return NetworkPolicy.None;
        var f = r.Fields(map, path, NetworkFields);
        if (f.Optional("egress") is { } egressNode
            && r.ExpectScalar(egressNode, Field(path, "egress"), $"an egress policy ({EgressNone})") is { } egress
            && egress != EgressNone)
        {
            r.Report(egressNode, Field(path, "egress"), $"egress {Quote(egress)} is not supported in v1; valid: {EgressNone}");
        }

        return NetworkPolicy.None;
    }

    private static PriceCap ReadPrice(YamlNode node, SpecNodeReader r)
    {
        const string path = "price";
        var defaults = PriceCap.Default;
        var map = r.ExpectMap(node, path);
        if (map is null)
            return defaults;
        var f = r.Fields(map, path, PriceFields);

        var maxPerHour = defaults.MaxPerHour;
        if (f.Optional("maxPerHour") is { } maxNode
            && r.ExpectScalar(maxNode, Field(path, "maxPerHour"), "an amount") is { } text)
        {
            // The scalar's own text, never a double: "0.10" must mean exactly 100000 base units.
            if (TokenAmount.TryParse(text, out var amount))
                maxPerHour = amount;
            else
                r.Report(maxNode, Field(path, "maxPerHour"), $"{Quote(text)} is not an amount; use a decimal number of " +
                    $"tokens with at most {TokenAmount.Decimals} decimals, e.g. \"0.50\"");
        }

        var mode = f.Optional("mode") is { } modeNode
            ? r.ExpectChoice(modeNode, Field(path, "mode"), "mode", PriceModes) ?? defaults.Mode
            : defaults.Mode;
        return new PriceCap(maxPerHour, mode);
    }

    private static VerifyPolicy ReadVerify(YamlNode node, SpecNodeReader r)
    {
        const string path = "verify";
        var map = r.ExpectMap(node, path);
        if (map is null)
            return VerifyPolicy.Single;
        var f = r.Fields(map, path, VerifyFields);

        var replicasNode = f.Optional("replicas");
        var replicas = replicasNode is null ? VerifyPolicy.Single.Replicas : r.ExpectInt(replicasNode, Field(path, "replicas"), 1, JobSpecLimits.MaxReplicas);
        var adaptive = f.Optional("adaptive") is { } adaptiveNode
            ? r.ExpectChoice(adaptiveNode, Field(path, "adaptive"), "value", ["true", "false"]) != "false"
            : true;
        var donate = f.Optional("donateAsCanary") is { } donateNode
            && r.ExpectChoice(donateNode, Field(path, "donateAsCanary"), "value", ["true", "false"]) == "true";
        if (f.Optional("quorum") is not { } quorumNode)
            return new VerifyPolicy(replicas ?? 1, MajorityOf(replicas ?? 1), adaptive, donate);

        // When replicas is itself invalid, quorum is only checked against the largest replicas could be.
        var quorum = r.ExpectInt(quorumNode, Field(path, "quorum"), 1, replicas ?? JobSpecLimits.MaxReplicas);
        return new VerifyPolicy(replicas ?? 1, quorum ?? 1, adaptive, donate);
    }

    /// <summary>The default quorum: more than half of the replicas.</summary>
    public static int MajorityOf(int replicas) => replicas / 2 + 1;

    private static List<string> ReadRequires(YamlNode node, SpecNodeReader r)
    {
        const string path = "requires";
        var list = r.ExpectList(node, path, JobSpecLimits.MaxRequires);
        if (list is null)
            return [];
        var capabilities = new List<string>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            var name = r.ExpectScalar(item, Item(path, i), "a capability name");
            if (name is null)
                continue;
            if (name.Length > JobSpecLimits.MaxCapabilityLength || !CapabilityPattern().IsMatch(name))
            {
                r.Report(item, Item(path, i), $"{Quote(name)} is not a capability name; use lower-case letters, digits " +
                    $"and ':', '.', '_', '-', starting with a letter or digit, at most {JobSpecLimits.MaxCapabilityLength} characters, e.g. python3-torch");
                continue;
            }

            if (capabilities.Contains(name, StringComparer.Ordinal))
            {
                r.Report(item, Item(path, i), $"{Quote(name)} is listed twice");
                continue;
            }

            capabilities.Add(name);
        }

        return capabilities;
    }

    private static PlacementPolicy ReadPlacement(YamlNode node, SpecNodeReader r)
    {
        const string path = "placement";
        var defaults = PlacementPolicy.Default;
        var map = r.ExpectMap(node, path);
        if (map is null)
            return defaults;
        var f = r.Fields(map, path, PlacementFields);

        var minReputation = f.Optional("minReputation") is { } reputationNode
            ? ReadReputation(reputationNode, Field(path, "minReputation"), r) ?? defaults.MinReputation
            : defaults.MinReputation;
        var region = f.Optional("region") is { } regionNode ? ReadRegion(regionNode, Field(path, "region"), r) : defaults.Region;
        var maxStartDelay = f.Optional("maxStartDelay") is { } delayNode
            ? ReadDuration(delayNode, Field(path, "maxStartDelay"), JobSpecLimits.MinStartDelay, JobSpecLimits.MaxStartDelay, r)
            : defaults.MaxStartDelay;
        return new PlacementPolicy(minReputation, region, maxStartDelay);
    }

    private static double? ReadReputation(YamlNode node, string path, SpecNodeReader r)
    {
        var text = r.ExpectScalar(node, path, "a reputation");
        if (text is null)
            return null;

        // By its text, like a price: digits, an optional '.', a few decimals; no sign, exponent or leading '.'.
        if (!DecimalPattern().IsMatch(text))
        {
            r.Report(node, path, $"{Quote(text)} is not a reputation; use a decimal number from 0 to 1, e.g. 0.8");
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0 && text.Length - dot - 1 > JobSpecLimits.MaxReputationDecimals)
        {
            r.Report(node, path, $"{Quote(text)} has more than {JobSpecLimits.MaxReputationDecimals} decimals; e.g. 0.85");
            return null;
        }

        var reputation = double.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (reputation <= 1)
            return reputation;
        r.Report(node, path, $"{Quote(text)} is out of range; valid: 0 to 1");
        return null;
    }

    private static string? ReadRegion(YamlNode node, string path, SpecNodeReader r)
    {
        var region = r.ExpectString(node, path, JobSpecLimits.MaxRegionLength);
        if (region is null)
            return null;
        if (RegionPattern().IsMatch(region))
            return region;
        r.Report(node, path, $"{Quote(region)} is not a region; use 1 to {JobSpecLimits.MaxRegionLength} lower-case letters, " +
            "digits and '-', starting and ending with a letter or digit, e.g. eu-west");
        return null;
    }

    private static FrameSplit? ReadSplit(YamlNode node, ProcessRuntime? runtime, SpecNodeReader r)
    {
        const string path = "split";
        var map = r.ExpectMap(node, path);
        if (map is null)
            return null;
        var f = r.Fields(map, path, SplitFields);
        if (f.Required("frames") is not { } framesNode)
            return null;
        var text = r.ExpectScalar(framesNode, Field(path, "frames"), "a frame list");
        if (text is null)
            return null;
        if (!FrameSplit.TryParse(text, JobSpecLimits.MaxFrameNumber, JobSpecLimits.MaxSplitFrames, out var split, out var error))
        {
            r.Report(framesNode, Field(path, "frames"), error);
            return null;
        }

        if (runtime is not null && runtime.Env.ContainsKey(FrameSplit.FrameVariable))
        {
            r.Report(framesNode, Field(path, "frames"), $"runtime.env sets {FrameSplit.FrameVariable}, which the split sets " +
                $"for each frame; remove it from runtime.env");
            return null;
        }

        return split;
    }
}
