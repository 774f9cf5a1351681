using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Numerics;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using OpenGrid.Chain.Dev;
using OpenGrid.Chain.Escrow;
using OpenGrid.Chain.Registry;
using OpenGrid.Chain.Token;
using OpenGrid.Coordinator.Tests.Api;
using OpenGrid.Core;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Settlement;

/// <summary>
/// The relay on a real anvil: transactions signed here with the user's key (as the dashboard signs them in the browser)
/// go through <c>POST /v1/chain/transactions</c>; anything but the signed-in account's own approve, deposit, withdraw
/// or withdrawEarnings on this grid's contracts is refused with its code and never reaches the chain.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class ChainRelayTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly BigInteger TwoUsdc = 2_000_000, HalfUsdc = 500_000;

    [Fact]
    public async Task A_deposit_signed_by_the_user_is_relayed_lands_in_escrow_and_heads_the_history()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var user = await chain.NewAccountAsync();
        await user.Contracts.Token.MintAsync(user.Address, TokenAmount.FromBaseUnits(5_000_000), None);
        using var http = await SignedInAsync(factory, user.Identity);

        var account = await http.GetFromJsonAsync("v1/chain/account", OpenGridJsonContext.Default.ChainAccountView);
        var before = await NonceAsync(user.Address);
        Assert.Equal((before, user.Identity.Address.Value, 31337L, chain.Addresses.Token, chain.Addresses.Escrow),
            (account!.Nonce, account.Address, account.ChainId, account.Token, account.Escrow));
        var approve = await RelayAsync(http, await Eip1559Async(user, account, account.Nonce, chain.Addresses.Token,
            new ApproveFunction { Spender = chain.Addresses.Escrow, Value = TwoUsdc }));
        var deposit = await RelayAsync(http, await Eip1559Async(user, account, account.Nonce + 1, chain.Addresses.Escrow,
            new DepositFunction { Amount = TwoUsdc }));

        Assert.Equal(("approve", "succeeded"), (approve.Call, approve.Status));
        Assert.Equal(("deposit", "succeeded"), (deposit.Call, deposit.Status));
        Assert.True(BigInteger.Parse(deposit.GasUsed, System.Globalization.CultureInfo.InvariantCulture) > 21_000, $"gas used {deposit.GasUsed}");
        var balances = await user.Contracts.Escrow.GetBalancesAsync(user.Address, None);
        Assert.Equal((2_000_000L, 3_000_000L), (balances.Available.BaseUnits, (await user.Contracts.Token.BalanceOfAsync(user.Address, None)).BaseUnits));

        // A legacy (EIP-155) transaction is relayed too; the history lists both, newest first, as the chain has them.
        account = await http.GetFromJsonAsync("v1/chain/account", OpenGridJsonContext.Default.ChainAccountView);
        Assert.Equal(before + 2, account!.Nonce);
        var withdraw = await RelayAsync(http, await LegacyAsync(user, account, chain.Addresses.Escrow, new WithdrawFunction { Amount = HalfUsdc }));
        var history = await http.GetFromJsonAsync("v1/balance/history", OpenGridJsonContext.Default.BalanceHistoryView);

        Assert.Equal([("withdrawn", "0.500000", withdraw.TxHash), ("deposited", "2.000000", deposit.TxHash)],
            history!.Events.Select(e => (e.Kind, e.Amount, e.TxHash)).ToArray());
        Assert.Equal(deposit.BlockNumber, history.Events[1].BlockNumber);
        var block = await anvil.Chain.Web3(0).Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter((ulong)deposit.BlockNumber));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value), history.Events[1].At);
    }

    [Fact]
    public async Task A_transaction_to_another_contract_from_another_key_or_calling_another_function_is_refused_and_never_sent()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var user = await chain.NewAccountAsync();
        var other = await chain.NewAccountAsync();
        await ChainHarness.DepositAsync(other, TokenAmount.FromBaseUnits(2_000_000));
        using var http = await SignedInAsync(factory, user.Identity);
        var account = (await http.GetFromJsonAsync("v1/chain/account", OpenGridJsonContext.Default.ChainAccountView))!;
        var otherNonce = await NonceAsync(other.Address);
        var a = chain.Addresses;

        var refusals = new (string What, string Raw, HttpStatusCode Status, string Code, string Says)[]
        {
            ("a call to the registry", await Eip1559Async(user, account, 0, a.Registry, new BondFunction { Amount = TwoUsdc }),
                HttpStatusCode.UnprocessableEntity, ErrorCodes.ChainTxRefused, "neither the token"),
            ("a token transfer", await Eip1559Async(user, account, 0, a.Token, new TransferFunction { To = other.Address, Value = TwoUsdc }),
                HttpStatusCode.UnprocessableEntity, ErrorCodes.ChainTxRefused, "the only token call relayed is approve(escrow, amount)"),
            ("an approval of another spender", await Eip1559Async(user, account, 0, a.Token, new ApproveFunction { Spender = a.Registry, Value = TwoUsdc }),
                HttpStatusCode.UnprocessableEntity, ErrorCodes.ChainTxRefused, "only with the escrow"),
            ("an operator's escrow call", await Eip1559Async(user, account, 0, a.Escrow, new CloseLeaseFunction { LeaseId = new byte[32] }),
                HttpStatusCode.UnprocessableEntity, ErrorCodes.ChainTxRefused, "the only escrow calls relayed are deposit(amount), withdraw(amount) and withdrawEarnings()"),
            ("a withdrawal signed by another key", await Eip1559Async(other, account, otherNonce, a.Escrow, new WithdrawFunction { Amount = TwoUsdc }),
                HttpStatusCode.Forbidden, ErrorCodes.ChainTxNotYours, $"signed by {other.Address.ToLowerInvariant()}, but you are signed in as {user.Identity.Address.Value}"),
            ("a deposit signed for another chain", await Eip1559Async(OnChain(user, 1), account with { ChainId = 1 }, 0, a.Escrow, new DepositFunction { Amount = TwoUsdc }),
                HttpStatusCode.BadRequest, ErrorCodes.ChainTxInvalid, "signed for chain 1"),
            ("bytes that are no transaction", "0xdeadbeef", HttpStatusCode.BadRequest, ErrorCodes.ChainTxInvalid, "not a signed transaction"),
        };
        foreach (var (what, raw, status, code, says) in refusals)
        {
            var response = await http.PostAsJsonAsync("v1/chain/transactions", new RelayTransactionRequest(raw), OpenGridJsonContext.Default.RelayTransactionRequest);
            var problem = await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView);
            Assert.True((status, code) == (response.StatusCode, problem!.Code), $"{what}: {(int)response.StatusCode} {problem!.Code} {problem.Detail}");
            Assert.Contains(says, problem.Detail, StringComparison.Ordinal);
        }

        // Nothing reached the chain: both accounts' pending nonces are where they were, the other's money untouched.
        Assert.Equal((0, otherNonce), (await NonceAsync(user.Address), await NonceAsync(other.Address)));
        Assert.Equal(2_000_000L, (await other.Contracts.Escrow.GetBalancesAsync(other.Address, None)).Available.BaseUnits);
    }

    [Fact]
    public async Task A_deposit_the_escrow_would_refuse_is_answered_with_the_contracts_reason_and_not_sent()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var user = await chain.NewAccountAsync();
        await user.Contracts.Token.MintAsync(user.Address, TokenAmount.FromBaseUnits(5_000_000), None);
        using var http = await SignedInAsync(factory, user.Identity);
        var account = (await http.GetFromJsonAsync("v1/chain/account", OpenGridJsonContext.Default.ChainAccountView))!;

        // No approval: the token refuses the escrow's transferFrom.
        var response = await http.PostAsJsonAsync("v1/chain/transactions",
            new RelayTransactionRequest(await Eip1559Async(user, account, account.Nonce, chain.Addresses.Escrow, new DepositFunction { Amount = TwoUsdc })),
            OpenGridJsonContext.Default.RelayTransactionRequest);
        var problem = await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, ErrorCodes.ChainTxReverted), (response.StatusCode, problem!.Code));
        Assert.Contains("ERC20InsufficientAllowance", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("not sent", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(account.Nonce, await NonceAsync(user.Address));
    }

    [Fact]
    public async Task After_a_paid_job_the_provider_relays_withdrawEarnings_and_both_histories_name_the_job()
    {
        using var chain = await ChainHarness.DeployAsync(anvil.Chain);
        await using var factory = Settled(chain);
        var requester = await chain.NewAccountAsync();
        var provider = await chain.NewAccountAsync();
        await ChainHarness.DepositAsync(requester, TokenAmount.FromBaseUnits(1_000_000));
        await ChainHarness.BondAsync(provider);
        await using var connection = await factory.ConnectLiveProviderAsync(provider.Identity, "earning-provider");
        var job = await factory.NewClient(requester.Identity).SubmitSpecAsync(
            JobSpecs.Shell("paid", "true", memory: "1Gi", cpu: "2", timeout: "10m"), None);
        var lease = Assert.IsType<OpenGrid.Protocol.Gateway.Assign>(await connection.ReceiveAsync());
        await connection.SendAsync(new OpenGrid.Protocol.Gateway.JobStarted(job.Id, lease.Epoch));
        await connection.SendAsync(new OpenGrid.Protocol.Gateway.JobFinished(job.Id, lease.Epoch, "succeeded", 0, null, new UsageView(300.2, 290, 1 << 20), []));
        await SettlementWaits.SettledAsync(factory.Services, job.Id);
        var earned = (await provider.Contracts.Escrow.GetBalancesAsync(provider.Address, None)).Earnings.BaseUnits;
        Assert.True(earned > 0, "the provider earned something");

        using var providerHttp = await SignedInAsync(factory, provider.Identity);
        var account = (await providerHttp.GetFromJsonAsync("v1/chain/account", OpenGridJsonContext.Default.ChainAccountView))!;
        var withdrawn = await RelayAsync(providerHttp, await Eip1559Async(provider, account, account.Nonce, chain.Addresses.Escrow, new WithdrawEarningsFunction()));

        Assert.Equal("withdrawEarnings", withdrawn.Call);
        Assert.Equal(earned, (await provider.Contracts.Token.BalanceOfAsync(provider.Address, None)).BaseUnits);
        var earnedText = TokenAmount.FromBaseUnits(earned).ToString();
        var providerHistory = (await providerHttp.GetFromJsonAsync("v1/balance/history", OpenGridJsonContext.Default.BalanceHistoryView))!;
        Assert.Equal([("earnings_withdrawn", earnedText), ("released", earnedText)], providerHistory.Events.Select(e => (e.Kind, e.Amount)).ToArray());
        using var requesterHttp = await SignedInAsync(factory, requester.Identity);
        var requesterHistory = (await requesterHttp.GetFromJsonAsync("v1/balance/history", OpenGridJsonContext.Default.BalanceHistoryView))!;
        Assert.Equal(["lease_closed", "lease_opened", "deposited"], requesterHistory.Events.Select(e => e.Kind).ToArray());
        Assert.All(requesterHistory.Events.Take(2), e => Assert.Equal(job.Id, e.JobId));
        Assert.Equal(provider.Address.ToLowerInvariant(), requesterHistory.Events[1].Provider);
        Assert.Equal(requesterHistory.Events[1].LeaseId, providerHistory.Events[1].LeaseId);
    }

    [Fact]
    public async Task Without_a_chain_the_relay_and_the_history_answer_chain_not_configured()
    {
        await using var factory = new CoordinatorFactory();
        using var http = await SignedInAsync(factory, Identity.Generate());

        var responses = new[]
        {
            await http.GetAsync("v1/chain/account"),
            await http.PostAsJsonAsync("v1/chain/transactions", new RelayTransactionRequest("0x00"), OpenGridJsonContext.Default.RelayTransactionRequest),
            await http.GetAsync("v1/balance/history"),
        };

        foreach (var response in responses)
        {
            var problem = await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView);
            Assert.Equal((HttpStatusCode.NotFound, ErrorCodes.ChainNotConfigured), (response.StatusCode, problem!.Code));
        }
    }

    private async Task<long> NonceAsync(string address) =>
        (long)(await anvil.Chain.Web3(0).Eth.Transactions.GetTransactionCount.SendRequestAsync(address, BlockParameter.CreatePending())).Value;

    private static async Task<RelayedTransactionView> RelayAsync(HttpClient http, string raw)
    {
        var response = await http.PostAsJsonAsync("v1/chain/transactions", new RelayTransactionRequest(raw), OpenGridJsonContext.Default.RelayTransactionRequest);
        Assert.True(response.IsSuccessStatusCode, $"relay answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.RelayedTransactionView))!;
    }

    /// <summary>An EIP-1559 transaction signed offline with the account's key, with the fees the relay suggested.</summary>
    private static async Task<string> Eip1559Async<TCall>(ChainAccount signer, ChainAccountView fees, long nonce, string to, TCall call)
        where TCall : FunctionMessage, new() =>
        (await signer.Account.TransactionManager.SignTransactionAsync(new TransactionInput(call.GetCallData().ToHex(true), to, signer.Address,
            new HexBigInteger(200_000), null, new HexBigInteger(0))
        {
            Nonce = new HexBigInteger(nonce), Type = new HexBigInteger(2), ChainId = new HexBigInteger(fees.ChainId),
            MaxFeePerGas = new HexBigInteger(BigInteger.Parse(fees.MaxFeePerGas, System.Globalization.CultureInfo.InvariantCulture)),
            MaxPriorityFeePerGas = new HexBigInteger(BigInteger.Parse(fees.MaxPriorityFeePerGas, System.Globalization.CultureInfo.InvariantCulture)),
        })).EnsureHexPrefix();

    /// <summary>A legacy transaction with the EIP-155 chain id, at the suggested gas price.</summary>
    private static async Task<string> LegacyAsync<TCall>(ChainAccount signer, ChainAccountView fees, string to, TCall call)
        where TCall : FunctionMessage, new() =>
        (await signer.Account.TransactionManager.SignTransactionAsync(new TransactionInput(call.GetCallData().ToHex(true), to, signer.Address,
            new HexBigInteger(200_000), new HexBigInteger(BigInteger.Parse(fees.GasPrice, System.Globalization.CultureInfo.InvariantCulture)), new HexBigInteger(0))
        {
            Nonce = new HexBigInteger(fees.Nonce), ChainId = new HexBigInteger(fees.ChainId),
        })).EnsureHexPrefix();

    /// <summary>The same key signing for another chain id.</summary>
    private ChainAccount OnChain(ChainAccount account, long chainId)
    {
        var other = new Nethereum.Web3.Accounts.Account(account.Account.PrivateKey, chainId);
        _ = OpenGrid.Chain.ChainConnection.CreateWeb3(other, anvil.Chain.RpcUrl); // gives its signer a node client
        return account with { Account = other };
    }

    private static async Task<HttpClient> SignedInAsync(CoordinatorFactory factory, Identity identity)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await factory.NewClient(identity).GetTokenAsync(None));
        return http;
    }

    private static CoordinatorFactory Settled(ChainHarness chain)
    {
        var factory = new CoordinatorFactory();
        foreach (var (key, value) in chain.Settings)
            factory.Settings[key] = value;
        return factory;
    }
}
