using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Contracts.CQS;
using Nethereum.Util;

namespace OpenGrid.Chain.Tests;

/// <summary>The embedded artifacts are compiled from the current sources, and the C# bindings match their ABIs.</summary>
public partial class ArtifactTests
{
    private const string Recompile = "the artifacts are stale: run `cd contracts && npm ci && node compile.js` and commit src/OpenGrid.Chain/Artifacts";

    [Fact]
    public void Embedded_artifacts_were_compiled_from_the_current_contract_sources()
    {
        Assert.True(ContractArtifact.SourceHash == SourceHash(RepoPaths.Contracts), Recompile);
    }

    [Fact]
    public void The_source_hash_changes_when_a_contract_changes()
    {
        var copy = Directory.CreateTempSubdirectory("og-contracts-");
        try
        {
            foreach (var file in HashedInputs(RepoPaths.Contracts))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy.FullName, file))!);
                File.Copy(Path.Combine(RepoPaths.Contracts, file), Path.Combine(copy.FullName, file));
            }
            var before = SourceHash(copy.FullName);
            File.AppendAllText(Path.Combine(copy.FullName, "JobEscrow.sol"), "// edited\n");
            Assert.NotEqual(before, SourceHash(copy.FullName));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_contract_in_the_sources_has_an_embedded_artifact()
    {
        var declared = Directory.GetFiles(RepoPaths.Contracts, "*.sol")
            .SelectMany(f => ContractDeclaration().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Order().ToList();
        Assert.Equal(declared, ContractArtifact.All.Select(a => a.Name).Order().ToList());
        Assert.All(ContractArtifact.All, a => Assert.Matches("^0x[0-9a-f]{1000,}$", a.Bytecode));
    }

    [Fact]
    public void Every_function_message_and_event_binding_exists_in_an_artifact_abi()
    {
        var abis = ContractArtifact.All.Append(ContractArtifact.Load("MaliciousToken", typeof(ArtifactTests).Assembly)).Select(a => a.Abi).ToList();
        var functions = abis.SelectMany(a => a.Functions).Select(f => f.Sha3Signature).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var events = abis.SelectMany(a => a.Events).Select(e => e.Sha3Signature).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var types = typeof(ContractArtifact).Assembly.GetTypes().Concat(typeof(ArtifactTests).Assembly.GetTypes()).ToList();

        var messages = types.Where(t => t.IsSubclassOf(typeof(FunctionMessage)) && t.GetCustomAttribute<FunctionAttribute>() is not null).ToList();
        Assert.NotEmpty(messages);
        Assert.All(messages, t => Assert.True(functions.Contains(Sha3Signature(t)), $"{t.Name} does not match any function in the ABIs"));

        var eventTypes = types.Where(t => typeof(IEventDTO).IsAssignableFrom(t) && t.IsClass).ToList();
        Assert.NotEmpty(eventTypes);
        Assert.All(eventTypes, t => Assert.True(events.Contains(EventSignature(t)), $"{t.Name} does not match any event in the ABIs"));
    }

    /// <summary>Same recipe as contracts/compile.js: sha256 over "path\n&lt;sha256 of content&gt;\n" in ordinal order.</summary>
    internal static string SourceHash(string contractsDir)
    {
        var sb = new StringBuilder();
        foreach (var rel in HashedInputs(contractsDir))
            sb.Append(rel).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(contractsDir, rel))))).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static List<string> HashedInputs(string contractsDir)
    {
        IEnumerable<string> Sol(string sub) => Directory.GetFiles(Path.Combine(contractsDir, sub), "*.sol").Select(f => sub + Path.GetFileName(f));
        return new[] { "compile.js", "package-lock.json" }.Concat(Sol("")).Concat(Sol("test/")).Order(StringComparer.Ordinal).ToList();
    }

    private static string Sha3Signature(Type message)
    {
        var name = message.GetCustomAttribute<FunctionAttribute>()!.Name;
        return Selector($"{name}({CanonicalTypes(message)})")[..8];
    }

    /// <summary>The ABI types of a binding's parameters, comma-separated; a struct (<c>tuple</c>) as its members' types in parentheses.</summary>
    private static string CanonicalTypes(Type binding) =>
        string.Join(',', binding.GetProperties()
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<ParameterAttribute>()))
            .Where(p => p.Attribute is not null)
            .OrderBy(p => p.Attribute!.Order)
            .Select(p => p.Attribute!.Type == "tuple" ? $"({CanonicalTypes(p.Property.PropertyType)})" : p.Attribute!.Type));

    private static string EventSignature(Type eventType)
    {
        var name = eventType.GetCustomAttribute<EventAttribute>()!.Name;
        var parameters = eventType.GetProperties().Select(p => p.GetCustomAttribute<ParameterAttribute>()).OfType<ParameterAttribute>()
            .OrderBy(p => p.Order).Select(p => p.Type);
        return Selector($"{name}({string.Join(',', parameters)})");
    }

    private static string Selector(string signature) =>
        Convert.ToHexStringLower(Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(signature)));

    [GeneratedRegex(@"^contract\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex ContractDeclaration();
}
