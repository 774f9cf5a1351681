using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.Signer;
using OpenGrid.Chain;
using OpenGrid.Chain.Relay;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// The browser's transaction module (assets/ethtx.js) in Chromium, against published RLP vectors, the selectors in the
/// compiled contract artifacts, and Nethereum: what the page signs is byte for byte what Nethereum signs for the same
/// transaction, and Nethereum recovers the right sender from it. Also the page's job authorizations
/// (assets/authorization.js) against the coordinator's own check.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class TransactionSigningTests(DashboardFixture grid)
{
    private const string Key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    private const string Escrow = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private const long ChainId = 31337;

    [Theory]
    [InlineData("''", "0x80")]
    [InlineData("'dog'", "0x83646f67")]
    [InlineData("['cat', 'dog']", "0xc88363617483646f67")]
    [InlineData("[]", "0xc0")]
    [InlineData("0n", "0x80")]
    [InlineData("15n", "0x0f")]
    [InlineData("1024n", "0x820400")]
    [InlineData("[[], [[]], [[], [[]]]]", "0xc7c0c1c0c3c0c1c0")]
    [InlineData("'Lorem ipsum dolor sit amet, consectetur adipisicing elit'",
        "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974")]
    public async Task Rlp_encodes_the_published_examples(string item, string expected)
    {
        await using var tab = await grid.NewPageAsync();
        await tab.Page.GotoAsync("/ui/signin");

        // Strings become their UTF-8 bytes, recursively; BigInts and lists stay as they are.
        var encoded = await tab.Page.EvaluateAsync<string>($$"""
            async () => {
              const { rlp, toHex } = await import('/ui/assets/ethtx.js');
              const bytes = (x) => typeof x === 'string' ? new TextEncoder().encode(x) : Array.isArray(x) ? x.map(bytes) : x;
              return toHex(rlp(bytes({{item}})));
            }
            """);

        Assert.Equal(expected, encoded);
    }

    [Fact]
    public async Task The_call_selectors_are_those_of_the_contract_artifacts()
    {
        await using var tab = await grid.NewPageAsync();
        await tab.Page.GotoAsync("/ui/signin");

        var selectors = await tab.Page.EvaluateAsync<string[]>($$"""
            async () => {
              const { calls, toHex } = await import('/ui/assets/ethtx.js');
              return [calls.approve('{{Escrow}}', 1n), calls.deposit(1n), calls.withdraw(1n), calls.withdrawEarnings()]
                .map((data) => toHex(data.subarray(0, 4)).slice(2));
            }
            """);

        Assert.Equal(
        [
            UserCalls.Selector(ContractArtifact.TestUsdc, "approve"), UserCalls.Selector(ContractArtifact.JobEscrow, "deposit"),
            UserCalls.Selector(ContractArtifact.JobEscrow, "withdraw"), UserCalls.Selector(ContractArtifact.JobEscrow, "withdrawEarnings"),
        ], selectors);
    }

    [Fact]
    public async Task An_eip1559_deposit_signed_in_the_page_is_byte_for_byte_what_Nethereum_signs()
    {
        await using var tab = await grid.NewPageAsync();
        await tab.Page.GotoAsync("/ui/signin");

        var raw = await tab.Page.EvaluateAsync<string>($$"""
            async () => {
              const { signEip1559, calls, fromHex } = await import('/ui/assets/ethtx.js');
              return signEip1559({ chainId: {{ChainId}}n, nonce: 7n, maxPriorityFeePerGas: 1000000000n, maxFeePerGas: 3000000000n,
                gasLimit: 150000n, to: '{{Escrow}}', value: 0n, data: calls.deposit(1000000n) }, fromHex('{{Key}}'));
            }
            """);

        var address = new EthECKey(Key).GetPublicAddress();
        var expected = new Transaction1559Signer().SignTransaction(Key.HexToByteArray(), new Transaction1559(ChainId, 7, 1_000_000_000, 3_000_000_000,
            150_000, Escrow, 0, "0xb6b55f25" + new BigInteger(1_000_000).ToString("x64"), null));
        Assert.Equal(expected.EnsureHexPrefix(), raw);
        var decoded = UserTransaction.TryDecode(raw, out var error);
        Assert.True(decoded is not null, error);
        Assert.Equal((address.ToLowerInvariant(), new BigInteger(ChainId), new BigInteger(7), Escrow),
            (decoded.Sender.ToLowerInvariant(), decoded.ChainId, decoded.Nonce, decoded.To!.ToLowerInvariant()));
    }

    [Fact]
    public async Task A_legacy_withdrawal_signed_in_the_page_carries_the_chain_id_and_is_byte_for_byte_what_Nethereum_signs()
    {
        await using var tab = await grid.NewPageAsync();
        await tab.Page.GotoAsync("/ui/signin");

        var raw = await tab.Page.EvaluateAsync<string>($$"""
            async () => {
              const { signLegacy, calls, fromHex } = await import('/ui/assets/ethtx.js');
              return signLegacy({ chainId: {{ChainId}}n, nonce: 3n, gasPrice: 2000000000n, gasLimit: 150000n, to: '{{Escrow}}',
                value: 0n, data: calls.withdraw(250000n) }, fromHex('{{Key}}'));
            }
            """);

        var address = new EthECKey(Key).GetPublicAddress();
        var expected = new LegacyTransactionSigner().SignTransaction(Key.HexToByteArray(), new BigInteger(ChainId), Escrow, BigInteger.Zero,
            3, 2_000_000_000, 150_000, "0x2e1a7d4d" + new BigInteger(250_000).ToString("x64"));
        Assert.Equal(expected.EnsureHexPrefix(), raw);
        var decoded = UserTransaction.TryDecode(raw, out var error);
        Assert.True(decoded is not null, error);
        Assert.Equal((address.ToLowerInvariant(), new BigInteger(ChainId)), (decoded.Sender.ToLowerInvariant(), decoded.ChainId));
    }

    [Fact]
    public async Task A_job_authorization_signed_in_the_page_is_one_the_coordinator_accepts_for_that_spec()
    {
        await using var tab = await grid.NewPageAsync();
        await tab.Page.GotoAsync("/ui/signin");
        var requester = Protocol.Identity.Identity.FromPrivateKey(Key);
        var domain = new Protocol.Escrow.EscrowDomain(ChainId, Core.Jobs.Address.Parse(Escrow));
        var text = Testing.JobSpecs.Shell("from-the-page", "echo ü > /out/x", timeout: "10m") + "\nverify: { replicas: 2, quorum: 2 }\n";
        var spec = Protocol.Specs.JobSpecParser.Parse(text, "job.yaml").Spec!;
        var terms = Protocol.Escrow.JobAuthorizationCheck.Terms(text, spec, domain, extraReplicas: 2);

        var signed = await tab.Page.EvaluateAsync<System.Text.Json.JsonElement>("""
            async ([termsJson, text, key]) => {
              const { signAuthorization } = await import('/ui/assets/authorization.js');
              const terms = JSON.parse(termsJson);
              const { fromHex } = await import('/ui/assets/ethtx.js');
              let other = null;
              try { signAuthorization(terms, text + ' ', fromHex(key)); } catch (e) { other = e.message; }
              return { authorization: signAuthorization(terms, text, fromHex(key)), other };
            }
            """, new object[] { System.Text.Json.JsonSerializer.Serialize(terms, Protocol.OpenGridJsonContext.Default.AuthorizationTermsView), text, Key });

        var view = System.Text.Json.JsonSerializer.Deserialize(signed.GetProperty("authorization").GetRawText(), Protocol.OpenGridJsonContext.Default.JobAuthorizationView)!;
        var (authorization, rejection) = Protocol.Escrow.JobAuthorizationCheck.Validate(view, requester.Address, text, spec, domain, 2, DateTimeOffset.UtcNow);
        Assert.Null(rejection);
        Assert.Equal((terms.MaxRatePerHour, terms.MaxTotal), (authorization!.MaxRatePerHour.ToString(), authorization.MaxTotal.ToString()));
        Assert.Contains("but this spec hashes to", signed.GetProperty("other").GetString());
    }
}
