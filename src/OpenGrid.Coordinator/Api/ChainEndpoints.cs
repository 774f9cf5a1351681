using System.Security.Claims;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// <c>/v1/chain</c> (public: where the contracts are, so clients can deposit and withdraw with their own keys) and
/// <c>/v1/balance</c> (the caller's money, read from the chain). Both answer <c>404 chain.not_configured</c> when
/// settlement is off. The coordinator never moves a requester's money: deposits and withdrawals are signed by the user.
/// </summary>
public static partial class ChainEndpoints
{
    public static void MapChainEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/chain", (SettlementChain chain, IOptions<SettlementOptions> settlement, IOptions<CoordinatorOptions> coordinator) =>
        {
            if (!chain.Enabled)
                return NotConfigured();
            var o = chain.Options;
            return Results.Ok(new ChainView(o.ChainId, settlement.Value.PublicRpcUrl is { Length: > 0 } url ? url : o.RpcUrl,
                o.TokenAddress!, o.EscrowAddress!, o.RegistryAddress!, o.ReputationAddress!, chain.OperatorAddress, TokenAmount.Decimals,
                o.ReceiptVerifierAddress!,
                coordinator.Value.Trust.MaxExtraReplicas));
        }).WithTags("payments");

        app.MapGet("/v1/balance", async (ClaimsPrincipal user, SettlementChain chain, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (!chain.Enabled)
                return NotConfigured();
            var account = user.Account();
            try
            {
                var c = (await chain.ConnectAsync(ct)).Contracts;
                var wallet = await c.Token.BalanceOfAsync(account.Value, ct);
                var escrow = await c.Escrow.GetBalancesAsync(account.Value, ct);
                var stake = await c.Registry.GetStakeAsync(account.Value, ct);
                return Results.Ok(new BalanceView(account.Value, wallet.ToString(), escrow.Available.ToString(), escrow.Locked.ToString(),
                    escrow.Earnings.ToString(), stake.Bonded.ToString(), stake.Unbonding.ToString()));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogBalanceFailed(logs.CreateLogger(typeof(ChainEndpoints)), e, account);
                return Problems.Result(ErrorCodes.ChainUnavailable, $"cannot read balances from the chain: {e.Message}");
            }
        }).WithTags("payments").RequireAuthorization();

        app.MapChainRelayEndpoints();
    }

    private static IResult NotConfigured() => Problems.Result(ErrorCodes.ChainNotConfigured,
        "this coordinator settles no payments: no chain is configured (Coordinator:Chain:RpcUrl, see docs/payments.md)");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the balances of {Account} from the chain")]
    private static partial void LogBalanceFailed(ILogger logger, Exception e, Address account);
}
