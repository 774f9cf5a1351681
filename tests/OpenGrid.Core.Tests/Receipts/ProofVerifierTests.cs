using System.Text.Json;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Core.Tests.Receipts;

/// <summary>
/// ProofVerifier on a real pack and real files (<see cref="ProofPackScenario"/>): the honest pack passes every
/// check, and each kind of tampering fails exactly the checks it should.
/// </summary>
public sealed class ProofVerifierTests : IDisposable
{
    private readonly TempDir _dir = new("og-proof");
    private readonly ProofPackScenario _scenario;

    public ProofVerifierTests() => _scenario = ProofPackScenario.Create(_dir.Path);

    private async Task<IReadOnlyList<ProofCheck>> VerifyAsync(ProofPack? pack = null) =>
        await ProofVerifier.VerifyAsync(pack ?? _scenario.Pack(), _dir.Path, CancellationToken.None);

    private async Task<List<string>> FailedAsync(ProofPack? pack = null) =>
        [.. (await VerifyAsync(pack)).Where(c => !c.Ok).Select(c => c.Check)];

    private string ChainOfA => $"chain {ProofPackScenario.Owner(_scenario.ProviderA)}";

    [Fact]
    public async Task The_honest_pack_passes_every_check()
    {
        var checks = await VerifyAsync();

        Assert.All(checks, c => Assert.True(c.Ok, $"{c.Check}: {c.Detail}"));
        Assert.Equal(
            ["pack", "domain", "spec", "provider spec", "verify policy",
             .. new[] { 1, 2, 3 }.SelectMany(n => new[] { "signature", "job", "spec hash", "runtime", "inputs", "outputs" }.Select(c => $"attempt {n} {c}")),
             ChainOfA, "output hello.txt", "output sub/big.bin", "verdict",
             .. _scenario.Settlements.Select(s => $"settlement {s.Kind} {s.TxHash}")],
            checks.Select(c => c.Check));
        Assert.Equal($"attempt 3 follows attempt 1", checks.Single(c => c.Check == ChainOfA).Detail);
        Assert.StartsWith("accepted by 2 provider(s) of 3 attempt(s), quorum 2: attempt(s) 2, 3", checks.Single(c => c.Check == "verdict").Detail);
    }

    [Fact]
    public async Task A_changed_output_byte_fails_that_files_CID_check_only()
    {
        var file = _dir.Combine("sub", "big.bin");
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[^1] ^= 1;
        await File.WriteAllBytesAsync(file, bytes);

        Assert.Equal(["output sub/big.bin"], await FailedAsync());
    }

    [Fact]
    public async Task A_missing_output_file_fails_its_check()
    {
        File.Delete(_dir.Combine(ProofPackScenario.SmallOutput));

        var check = (await VerifyAsync()).Single(c => !c.Ok);

        Assert.Equal("output hello.txt", check.Check);
        Assert.EndsWith("is missing or not a regular file", check.Detail);
    }

    [Fact]
    public async Task An_output_path_leaving_the_folder_is_refused()
    {
        var pack = _scenario.Pack();
        pack = pack with { Outputs = [pack.Outputs[0] with { Path = "../hello.txt" }] };

        Assert.Contains("output ../hello.txt", await FailedAsync(pack));
    }

    [Fact]
    public async Task A_receipt_field_changed_in_transit_fails_its_signature_and_the_quorum()
    {
        _scenario.Tamper(2, r => r with { Usage = r.Usage with { GpuMs = 5_000 } });

        Assert.Equal(["attempt 2 signature", "verdict"], await FailedAsync());
    }

    [Fact]
    public async Task A_malformed_receipt_or_signature_is_named_in_the_signature_check()
    {
        _scenario.Tamper(2, r => r with { SpecHash = "0x12" });
        var pack = _scenario.Pack();
        pack = pack with { Attempts = [pack.Attempts[0], pack.Attempts[1], pack.Attempts[2] with { Signature = "0xzz" }] };

        var failed = (await VerifyAsync(pack)).Where(c => !c.Ok).ToList();

        Assert.Equal(
            [("attempt 2 signature", "the receipt is malformed: specHash '0x12' is not 0x followed by 64 hex digits"),
             ("attempt 3 signature", "the signature '0xzz' is not 0x and 130 hex digits (65 bytes)")],
            failed.Where(c => c.Check.EndsWith("signature", StringComparison.Ordinal)).Select(c => (c.Check, c.Detail)));
        Assert.Contains("verdict", failed.Select(c => c.Check));
    }

    [Fact]
    public async Task A_receipt_over_another_spec_or_runtime_fails_those_checks()
    {
        _scenario.Resign(2, r => r with { SpecHash = ReceiptEncoding.SpecHash("something else"), RuntimeDigest = Bytes32.Zero });

        Assert.Equal(["attempt 2 spec hash", "attempt 2 runtime", "verdict"], await FailedAsync());
    }

    [Fact]
    public async Task A_pack_whose_spec_was_edited_where_providers_see_it_fails_the_provider_spec()
    {
        var pack = _scenario.Pack() with { Spec = ProofPackScenario.SpecText.Replace("name: greet", "name: other", StringComparison.Ordinal) };

        Assert.Equal(["provider spec"], await FailedAsync(pack));
    }

    [Fact]
    public async Task A_pack_whose_spec_runtime_was_edited_fails_the_provider_spec_and_every_runtime()
    {
        var pack = _scenario.Pack() with { Spec = ProofPackScenario.SpecText.Replace("cp data.txt", "cat data.txt >", StringComparison.Ordinal) };

        Assert.Equal(["provider spec", "attempt 1 runtime", "attempt 2 runtime", "attempt 3 runtime", "verdict"], await FailedAsync(pack));
    }

    [Fact]
    public async Task A_pack_whose_provider_spec_was_edited_fails_it_and_every_spec_hash()
    {
        var pack = _scenario.Pack() with { ProviderSpec = ProofPackScenario.ProviderSpecText.Replace("memory: 512Mi", "memory: 1Gi", StringComparison.Ordinal) };

        Assert.Equal(["provider spec", "attempt 1 spec hash", "attempt 2 spec hash", "attempt 3 spec hash", "verdict"], await FailedAsync(pack));
    }

    [Fact]
    public async Task The_provider_spec_has_no_verify_policy_price_or_outputs_and_the_receipts_hash_it()
    {
        var view = ProofPackScenario.ProviderSpecText;

        Assert.DoesNotContain("verify", view, StringComparison.Ordinal);
        Assert.DoesNotContain("price", view, StringComparison.Ordinal);
        Assert.DoesNotContain("outputs", view, StringComparison.Ordinal);
        Assert.DoesNotContain("inputs", view, StringComparison.Ordinal);
        Assert.Equal(ReceiptEncoding.SpecHash(view), _scenario.Receipt(2).SpecHash);
        Assert.NotEqual(ReceiptEncoding.SpecHash(ProofPackScenario.SpecText), _scenario.Receipt(2).SpecHash);
    }

    [Fact]
    public async Task A_pack_from_before_the_provider_view_checks_receipts_against_the_spec_text()
    {
        _scenario.Resign(1, r => r with { SpecHash = ReceiptEncoding.SpecHash(ProofPackScenario.SpecText) });
        _scenario.Resign(2, r => r with { SpecHash = ReceiptEncoding.SpecHash(ProofPackScenario.SpecText) });

        var failed = await FailedAsync(_scenario.Pack() with { ProviderSpec = null });

        // Attempt 3 was signed over the provider view (and its chain link to attempt 1 is now broken by the re-signing).
        Assert.Contains("attempt 3 spec hash", failed);
        Assert.DoesNotContain("attempt 1 spec hash", failed);
        Assert.DoesNotContain("attempt 2 spec hash", failed);
        Assert.DoesNotContain("provider spec", failed);
    }

    [Fact]
    public async Task An_output_list_that_does_not_hash_to_the_receipt_fails()
    {
        var pack = _scenario.Pack();
        var attempt = pack.Attempts[1];
        pack = pack with { Attempts = [pack.Attempts[0], attempt with { Outputs = [attempt.Outputs[0]] }, pack.Attempts[2]] };

        Assert.Equal(["attempt 2 outputs", "verdict"], await FailedAsync(pack));
    }

    [Fact]
    public async Task A_receipt_that_restarts_its_providers_chain_breaks_the_chain()
    {
        _scenario.Resign(3, r => r with { PrevReceiptHash = Bytes32.Zero });

        var failed = (await VerifyAsync()).Single(c => !c.Ok);

        Assert.Equal(ChainOfA, failed.Check);
        Assert.Equal("attempt 3 restarts the chain (zero previous hash) after attempt 1", failed.Detail);
    }

    [Fact]
    public async Task Two_receipts_claiming_the_same_predecessor_fork_the_chain()
    {
        _scenario.Resign(3, r => r with { PrevReceiptHash = ReceiptEncoding.SpecHash("an older receipt") });
        _scenario.Resign(1, r => r with { PrevReceiptHash = ReceiptEncoding.SpecHash("an older receipt") });

        Assert.Equal([ChainOfA], await FailedAsync());
    }

    [Fact]
    public async Task A_receipt_whose_predecessor_is_not_in_the_pack_is_not_consecutive_and_passes()
    {
        _scenario.Resign(3, r => r with { PrevReceiptHash = ReceiptEncoding.SpecHash("another job's receipt") });

        var chain = (await VerifyAsync()).Single(c => c.Check == ChainOfA);

        Assert.True(chain.Ok);
        Assert.Contains("not consecutive", chain.Detail);
    }

    [Fact]
    public async Task An_accepted_verdict_without_quorum_fails()
    {
        _scenario.Verdict = _scenario.Verdict with { AgreeingAttempts = [2] };
        _scenario.Resign(3, r => r with { OutputsHash = ReceiptEncoding.OutputsHash([]) });
        var pack = _scenario.Pack();
        pack = pack with { Attempts = [pack.Attempts[0], pack.Attempts[1], pack.Attempts[2] with { Outputs = [] }] };

        var verdict = (await VerifyAsync(pack)).Single(c => c.Check == "verdict");

        Assert.Equal((false, "only 1 provider(s) agree on the accepted outputs, quorum is 2"), (verdict.Ok, verdict.Detail));
    }

    [Fact]
    public async Task A_verdict_counting_an_attempt_that_timed_out_fails()
    {
        _scenario.Verdict = _scenario.Verdict with { AgreeingAttempts = [1, 2] };

        Assert.Equal(["verdict"], await FailedAsync());
    }

    [Fact]
    public async Task A_failed_verdict_contradicted_by_a_quorum_of_receipts_fails()
    {
        _scenario.Verdict = new ProofVerdict(ProofVerdict.Failed, [], ["outputs differ"]);

        Assert.Equal(["verdict"], await FailedAsync(_scenario.Pack() with { Outputs = [] }));
    }

    [Fact]
    public async Task A_pack_claiming_a_lower_quorum_than_the_spec_fails_the_policy()
    {
        Assert.Equal(["verify policy"], await FailedAsync(_scenario.Pack() with { Verify = new VerifyPolicyView(2, 1) }));
    }

    [Fact]
    public async Task A_malformed_settlement_transaction_fails_and_an_empty_list_passes()
    {
        _scenario.Settlements = [new("0x1234", "release", "1"), new("0x" + new string('d', 64), "refund", "1"), new("0x" + new string('e', 64), "close", "01")];
        Assert.Equal(3, (await FailedAsync()).Count(c => c.StartsWith("settlement ", StringComparison.Ordinal)));

        _scenario.Settlements = [];
        var settlement = (await VerifyAsync()).Single(c => c.Check == "settlement");
        Assert.Equal((true, "no transactions listed"), (settlement.Ok, settlement.Detail));
    }

    [Fact]
    public async Task A_domain_with_another_name_stops_the_receipt_checks()
    {
        var pack = _scenario.Pack() with { Domain = _scenario.Pack().Domain with { Name = "Other" } };

        var failed = await FailedAsync(pack);

        Assert.Equal(["domain", "verdict"], failed);
    }

    [Fact]
    public async Task The_pack_round_trips_through_the_wire_json_in_camel_case()
    {
        var json = JsonSerializer.Serialize(_scenario.Pack(), OpenGridJsonContext.Default.ProofPack);
        var root = JsonDocument.Parse(json).RootElement;
        var receipt = root.GetProperty("attempts")[2].GetProperty("receipt");

        Assert.Equal(ReceiptSigning.Hash(_scenario.Receipt(1)).ToString(), receipt.GetProperty("prevReceiptHash").GetString());
        Assert.Equal(1_100, receipt.GetProperty("usage").GetProperty("wallMs").GetInt64());
        Assert.Equal(31337, root.GetProperty("domain").GetProperty("chainId").GetInt64());
        var back = JsonSerializer.Deserialize(json, OpenGridJsonContext.Default.ProofPack)!;
        Assert.Empty(await FailedAsync(back));
    }

    public void Dispose() => _dir.Dispose();
}
