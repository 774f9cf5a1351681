using System.Globalization;
using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Contracts.MessageEncodingServices;
using Nethereum.EVM;
using Nethereum.EVM.BlockchainState;
using Nethereum.Hex.HexConvertors.Extensions;

namespace OpenGrid.Chain.Tests.Evm;

/// <summary>
/// An in-process EVM (Nethereum.EVM, Cancun rules) with one transaction per block. The test controls time:
/// <see cref="Warp"/> moves the next block's timestamp. Sends return the same <see cref="TxOutcome"/> the RPC
/// clients return and throw the same <see cref="ContractRevertException"/>, so assertions read alike.
/// </summary>
public sealed class EvmChain
{
    private readonly ExecutionStateService _state = new(new EmptyNode());
    private readonly TransactionExecutor _executor = new(HardforkConfig.Cancun);
    private int _accounts;

    public long BlockNumber { get; private set; } = 1;

    /// <summary>Unix seconds of the next block.</summary>
    public long Timestamp { get; private set; } = 1_750_000_000;

    /// <summary>A fresh externally owned account with ether for gas.</summary>
    public string NewAccount()
    {
        var address = "0x" + (0xA000 + ++_accounts).ToString("x", CultureInfo.InvariantCulture).PadLeft(40, '0');
        _state.SetInitialChainBalance(address, BigInteger.Pow(10, 24));
        return address;
    }

    /// <summary>Funds the account of <paramref name="key"/> (an account that can sign, e.g. a job authorization).</summary>
    public string NewAccount(OpenGrid.Protocol.Identity.Identity key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _state.SetInitialChainBalance(key.Address.Value, BigInteger.Pow(10, 24));
        return key.Address.Value;
    }

    public void Warp(long seconds) => Timestamp += seconds;

    public async Task<string> DeployAsync<TDeployment>(string from, TDeployment deployment)
        where TDeployment : ContractDeploymentMessage, new()
    {
        var data = new DeploymentMessageEncodingService<TDeployment>(from).GetDeploymentData(deployment).HexToByteArray();
        var result = await ExecuteAsync(from, null, data, create: true);
        if (!result.Success)
            throw RevertDecoder.Decode(result.ReturnData?.ToHex(true), "deploy " + typeof(TDeployment).Name);
        return result.ContractAddress;
    }

    /// <summary>Sends a transaction; throws <see cref="ContractRevertException"/> when it reverts.</summary>
    public async Task<TxOutcome> SendAsync<TMessage>(string from, string to, TMessage message)
        where TMessage : FunctionMessage, new()
    {
        var result = await ExecuteAsync(from, to, message.GetCallData(), create: false);
        if (!result.Success)
            throw RevertDecoder.Decode(result.ReturnData?.ToHex(true), typeof(TMessage).Name);
        return new TxOutcome("0x" + BlockNumber.ToString("x64", CultureInfo.InvariantCulture), (ulong)BlockNumber - 1,
            result.GasUsed, result.Logs ?? []);
    }

    /// <summary>Sends a transaction that must revert, and returns the decoded revert.</summary>
    public async Task<ContractRevertException> RevertsAsync<TMessage>(string from, string to, TMessage message)
        where TMessage : FunctionMessage, new() =>
        await Assert.ThrowsAsync<ContractRevertException>(() => SendAsync(from, to, message));

    /// <summary>Runs a view function (state is not changed) and decodes a simple return value.</summary>
    public async Task<TResult> CallAsync<TMessage, TResult>(string to, TMessage message)
        where TMessage : FunctionMessage, new()
    {
        var output = await CallRawAsync(to, message);
        return new FunctionMessageEncodingService<TMessage>(to, null).DecodeSimpleTypeOutput<TResult>(output);
    }

    /// <summary>Runs a view function and decodes a multi-value return into <typeparamref name="TOutput"/>.</summary>
    public async Task<TOutput> CallDtoAsync<TMessage, TOutput>(string to, TMessage message)
        where TMessage : FunctionMessage, new()
        where TOutput : IFunctionOutputDTO, new() =>
        new FunctionCallDecoder().DecodeFunctionOutput<TOutput>(await CallRawAsync(to, message));

    private async Task<string> CallRawAsync<TMessage>(string to, TMessage message) where TMessage : FunctionMessage, new()
    {
        var snapshot = _state.TakeSnapshot();
        try
        {
            var result = await RunAsync(Caller, to, message.GetCallData(), create: false);
            if (!result.Success)
                throw RevertDecoder.Decode(result.ReturnData?.ToHex(true), "call " + typeof(TMessage).Name);
            return result.ReturnData.ToHex(true);
        }
        finally
        {
            _state.RevertToSnapshot(snapshot);
        }
    }

    private const string Caller = "0x000000000000000000000000000000000000ca11";

    private async Task<TransactionExecutionResult> ExecuteAsync(string from, string? to, byte[] data, bool create)
    {
        var result = await RunAsync(from, to, data, create);
        BlockNumber++;
        return result;
    }

    private async Task<TransactionExecutionResult> RunAsync(string from, string? to, byte[] data, bool create)
    {
        var sender = _state.CreateOrGetAccountExecutionState(from);
        var ctx = new TransactionExecutionContext
        {
            Mode = ExecutionMode.Transaction,
            Sender = from,
            To = to,
            Data = data,
            IsContractCreation = create,
            GasLimit = 30_000_000,
            GasPrice = 0,
            Value = 0,
            Nonce = sender.Nonce ?? 0,
            BlockNumber = BlockNumber,
            Timestamp = Timestamp,
            BaseFee = 0,
            ChainId = 31337,
            Coinbase = "0x000000000000000000000000000000000000c0de",
            BlockGasLimit = 30_000_000,
            ExecutionState = _state,
        };
        var result = await _executor.ExecuteAsync(ctx);
        if (result.IsValidationError || (!result.Success && result.ReturnData is null && result.Error is not null))
            throw new InvalidOperationException($"EVM could not run the transaction: {result.Error}");
        return result;
    }

    /// <summary>A chain with no prior state: every account starts empty.</summary>
    private sealed class EmptyNode : INodeDataService
    {
        public Task<BigInteger> GetBalanceAsync(byte[] address) => Task.FromResult(BigInteger.Zero);
        public Task<BigInteger> GetBalanceAsync(string address) => Task.FromResult(BigInteger.Zero);
        public Task<byte[]> GetCodeAsync(byte[] address) => Task.FromResult(Array.Empty<byte>());
        public Task<byte[]> GetCodeAsync(string address) => Task.FromResult(Array.Empty<byte>());
        public Task<byte[]> GetBlockHashAsync(BigInteger blockNumber) => Task.FromResult(new byte[32]);
        public Task<byte[]> GetStorageAtAsync(byte[] address, BigInteger position) => Task.FromResult(new byte[32]);
        public Task<byte[]> GetStorageAtAsync(string address, BigInteger position) => Task.FromResult(new byte[32]);
        public Task<BigInteger> GetTransactionCount(byte[] address) => Task.FromResult(BigInteger.Zero);
        public Task<BigInteger> GetTransactionCount(string address) => Task.FromResult(BigInteger.Zero);
    }
}
