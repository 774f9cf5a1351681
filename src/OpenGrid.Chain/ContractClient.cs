using System.Reflection;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace OpenGrid.Chain;

/// <summary>
/// Base of the typed contract clients: sends a function message and waits for its receipt, runs queries, and
/// turns reverts into <see cref="ContractRevertException"/> with the decoded custom error. Transactions are signed
/// by the account the <see cref="IWeb3"/> was created with.
/// </summary>
public abstract class ContractClient(IWeb3 web3, string address)
{
    /// <summary>The contract's address.</summary>
    public string Address { get; } = address;

    protected IWeb3 Web3 { get; } = web3;

    protected async Task<TxOutcome> SendAsync<TMessage>(TMessage message, CancellationToken cancellationToken)
        where TMessage : FunctionMessage, new()
    {
        var what = FunctionName<TMessage>();
        var handler = Web3.Eth.GetContractTransactionHandler<TMessage>();
        if (message.Gas is null)
        {
            // Headroom over the estimate: with concurrent sends from one account the state can change between the
            // estimate and the execution (a storage slot going from zero to non-zero costs 20k more), and a
            // transaction that runs out of gas reverts without a reason.
            var estimate = await Guard(what, () => handler.EstimateGasAsync(Address, message)).ConfigureAwait(false);
            message.Gas = new Nethereum.Hex.HexTypes.HexBigInteger(estimate.Value * 5 / 4 + 25_000);
        }
        var receipt = await Guard(what, () => handler.SendRequestAndWaitForReceiptAsync(Address, message, cancellationToken)).ConfigureAwait(false);
        return TxOutcome.From(receipt, what);
    }

    protected Task<TResult> QueryAsync<TMessage, TResult>(TMessage message, CancellationToken cancellationToken)
        where TMessage : FunctionMessage, new() =>
        Guard(FunctionName<TMessage>(), () => Web3.Eth.GetContractQueryHandler<TMessage>()
            .QueryAsync<TResult>(Address, message, BlockParameter.CreateLatest()).WaitAsync(cancellationToken));

    protected Task<TOutput> QueryDtoAsync<TMessage, TOutput>(TMessage message, CancellationToken cancellationToken)
        where TMessage : FunctionMessage, new()
        where TOutput : IFunctionOutputDTO, new() =>
        Guard(FunctionName<TMessage>(), () => Web3.Eth.GetContractQueryHandler<TMessage>()
            .QueryDeserializingToObjectAsync<TOutput>(message, Address, BlockParameter.CreateLatest()).WaitAsync(cancellationToken));

    /// <summary>Deploys a contract and returns its address once the deployment is mined.</summary>
    protected static async Task<string> DeployAsync<TDeployment>(IWeb3 web3, TDeployment deployment, CancellationToken cancellationToken)
        where TDeployment : ContractDeploymentMessage, new()
    {
        var what = "deploy " + typeof(TDeployment).Name.Replace("Deployment", "", StringComparison.Ordinal);
        var receipt = await Guard(what, () => web3.Eth.GetContractDeploymentHandler<TDeployment>()
            .SendRequestAndWaitForReceiptAsync(deployment, cancellationToken)).ConfigureAwait(false);
        TxOutcome.From(receipt, what);
        return receipt.ContractAddress;
    }

    private static string FunctionName<TMessage>() =>
        typeof(TMessage).GetCustomAttribute<FunctionAttribute>()?.Name ?? typeof(TMessage).Name;

    private static async Task<T> Guard<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (SmartContractCustomErrorRevertException e)
        {
            throw RevertDecoder.Decode(e.ExceptionEncodedData, what);
        }
        catch (RpcResponseException e) when (e.RpcError?.Data is not null && e.RpcError.Message.Contains("revert", StringComparison.OrdinalIgnoreCase))
        {
            throw RevertDecoder.Decode(e.RpcError.GetDataAsString(), what);
        }
    }
}
