using System.Reflection;
using System.Text.Json;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.Model;

namespace OpenGrid.Chain;

/// <summary>
/// A compiled contract (ABI + creation bytecode) embedded from <c>Artifacts/&lt;Name&gt;.json</c>, which
/// <c>contracts/compile.js</c> writes. Loaded once per name.
/// </summary>
public sealed class ContractArtifact
{
    private static readonly Dictionary<(Assembly, string), ContractArtifact> Cache = [];

    private ContractArtifact(string name, string abiJson, string bytecode)
    {
        Name = name;
        AbiJson = abiJson;
        Bytecode = bytecode;
        Abi = new ABIJsonDeserialiser().DeserialiseContract(abiJson);
    }

    public string Name { get; }

    /// <summary>The ABI as JSON text (an array).</summary>
    public string AbiJson { get; }

    /// <summary>0x-prefixed creation bytecode, without constructor arguments.</summary>
    public string Bytecode { get; }

    public ContractABI Abi { get; }

    public static ContractArtifact TestUsdc => Load("TestUSDC");
    public static ContractArtifact JobEscrow => Load("JobEscrow");
    public static ContractArtifact ProviderRegistry => Load("ProviderRegistry");
    public static ContractArtifact ReputationRegistry => Load("ReputationRegistry");
    public static ContractArtifact ReceiptVerifier => Load("ReceiptVerifier");

    /// <summary>The production contracts, in deployment order.</summary>
    public static IReadOnlyList<ContractArtifact> All => [TestUsdc, JobEscrow, ProviderRegistry, ReputationRegistry, ReceiptVerifier];

    /// <summary>Loads <c>Artifacts/{name}.json</c> embedded in <paramref name="assembly"/> (default: this library).</summary>
    public static ContractArtifact Load(string name, Assembly? assembly = null)
    {
        assembly ??= typeof(ContractArtifact).Assembly;
        lock (Cache)
        {
            if (Cache.TryGetValue((assembly, name), out var cached))
                return cached;
            using var doc = JsonDocument.Parse(ReadResource(assembly, name + ".json"));
            var root = doc.RootElement;
            var artifact = new ContractArtifact(
                name, root.GetProperty("abi").GetRawText(), root.GetProperty("bytecode").GetString()!);
            Cache[(assembly, name)] = artifact;
            return artifact;
        }
    }

    /// <summary>The hash of the contract sources the embedded artifacts were compiled from (see compile.js).</summary>
    public static string SourceHash
    {
        get
        {
            using var doc = JsonDocument.Parse(ReadResource(typeof(ContractArtifact).Assembly, "manifest.json"));
            return doc.RootElement.GetProperty("sourceHash").GetString()!;
        }
    }

    private static string ReadResource(Assembly assembly, string file)
    {
        var resource = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".Artifacts." + file, StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"no embedded artifact {file} in {assembly.GetName().Name}; run: cd contracts && npm ci && node compile.js");
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
