using System.Text.Json;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

/// <summary><c>og verify DIR</c> on a real proof pack and real output files, signed with keys made per test.</summary>
public sealed class VerifyCommandTests : IDisposable
{
    private const string Folder = "proof";
    private readonly TempDir _dir = new("og-verify");
    private readonly OgRunner _og;
    private readonly ProofPackScenario _scenario;

    public VerifyCommandTests()
    {
        _og = new OgRunner(_dir.Path, _dir.Combine("home"));
        Directory.CreateDirectory(_dir.Combine(Folder));
        _scenario = ProofPackScenario.Create(_dir.Combine(Folder));
    }

    private async Task<(OgResult Result, List<string> Lines)> VerifyAsync()
    {
        _scenario.WritePack();
        var result = await _og.RunAsync("verify", Folder);
        return (result, [.. result.Stdout.ReplaceLineEndings("\n").TrimEnd().Split('\n')]);
    }

    [Fact]
    public async Task An_honest_pack_prints_every_check_ticked_and_exits_0()
    {
        var (result, lines) = await VerifyAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"verified: job {ProofPackScenario.JobId}, all {lines.Count - 1} checks passed", lines[^1]);
        Assert.All(lines[..^1], line => Assert.StartsWith("✓ ", line));
        Assert.Contains($"✓ attempt 2 signature: signed by provider {ProofPackScenario.Owner(_scenario.ProviderB)}", lines);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task A_changed_output_byte_fails_the_CID_check_and_exits_7()
    {
        var file = _dir.Combine(Folder, ProofPackScenario.SmallOutput);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[0] ^= 0x20;
        await File.WriteAllBytesAsync(file, bytes);

        var (result, lines) = await VerifyAsync();

        Assert.Equal(7, result.ExitCode);
        var failed = Assert.Single(lines, l => l.StartsWith("✗ ", StringComparison.Ordinal));
        Assert.StartsWith("✗ output hello.txt: the file hashes to bafk", failed);
        Assert.Equal($"NOT verified: job {ProofPackScenario.JobId}, 1 of {lines.Count - 1} checks failed", lines[^1]);
    }

    [Fact]
    public async Task A_changed_receipt_field_fails_its_signature_and_exits_7()
    {
        _scenario.Tamper(3, r => r with { ExitCode = 1 });

        var (result, lines) = await VerifyAsync();

        Assert.Equal(7, result.ExitCode);
        Assert.Contains(lines, l => l.StartsWith("✗ attempt 3 signature: signed by 0x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_chain_link_fails_and_exits_7()
    {
        _scenario.Resign(3, r => r with { PrevReceiptHash = Bytes32.Zero });

        var (result, lines) = await VerifyAsync();

        Assert.Equal(7, result.ExitCode);
        Assert.Equal(
            [$"✗ chain {ProofPackScenario.Owner(_scenario.ProviderA)}: attempt 3 restarts the chain (zero previous hash) after attempt 1"],
            lines.Where(l => l.StartsWith("✗ ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_folder_without_proof_json_is_one_line_and_exit_2()
    {
        var result = await _og.RunAsync("verify", Folder);

        Assert.Equal(
            (2, "", $"og: {Folder}/proof.json: no such file; download it with: og get <id> --proof -o {Folder}\n"),
            (result.ExitCode, result.Stdout, result.Stderr.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task A_proof_json_that_is_not_a_pack_is_one_line_and_exit_2()
    {
        await File.WriteAllTextAsync(_dir.Combine(Folder, "proof.json"), "{\"version\": ");

        var result = await _og.RunAsync("verify", Folder);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"og: {Folder}/proof.json is not a proof pack: ", Assert.Single(result.Stderr.ReplaceLineEndings("\n").TrimEnd().Split('\n')));
    }

    [Fact]
    public async Task Json_prints_the_report_with_every_check_and_the_same_exit_code()
    {
        _scenario.Tamper(2, r => r with { Epoch = 9 });
        _scenario.WritePack();

        var result = await _og.RunAsync("verify", Folder, "--json");

        Assert.Equal(7, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal((ProofPackScenario.JobId, false), (root.GetProperty("jobId").GetString(), root.GetProperty("ok").GetBoolean()));
        var failed = root.GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("ok").GetBoolean())
            .Select(c => c.GetProperty("check").GetString()).ToList();
        Assert.Equal(["attempt 2 signature", "verdict"], failed);
    }

    public void Dispose() => _dir.Dispose();
}
