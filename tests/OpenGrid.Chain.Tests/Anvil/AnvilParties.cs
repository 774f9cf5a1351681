using Nethereum.Contracts;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using OpenGrid.Chain.Dev;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Identity;

namespace OpenGrid.Chain.Tests.Anvil;

/// <summary>The contracts freshly deployed on anvil, and a client set per party (each signing with its dev account).</summary>
public sealed class AnvilParties
{
    public const int AdminIndex = 0, CoordinatorIndex = 1, RequesterIndex = 2, ProviderIndex = 3, TreasuryIndex = 4;

    private AnvilParties(DevChain chain, ChainDeployment addresses)
    {
        Addresses = addresses;
        Coordinator = ChainContracts.At(chain.Web3(CoordinatorIndex), addresses);
        Requester = ChainContracts.At(chain.Web3(RequesterIndex), addresses);
        Provider = ChainContracts.At(chain.Web3(ProviderIndex), addresses);
        Treasury = ChainContracts.At(chain.Web3(TreasuryIndex), addresses);
        RequesterAddress = chain.Account(RequesterIndex).Address;
        ProviderAddress = chain.Account(ProviderIndex).Address;
        TreasuryAddress = chain.Account(TreasuryIndex).Address;
        RequesterKey = Identity.FromPrivateKey(chain.PrivateKeys[RequesterIndex]);
    }

    public ChainDeployment Addresses { get; }
    public ChainContracts Coordinator { get; }
    public ChainContracts Requester { get; }
    public ChainContracts Provider { get; }
    public ChainContracts Treasury { get; }
    public string RequesterAddress { get; }
    public string ProviderAddress { get; }
    public string TreasuryAddress { get; }
    public Identity RequesterKey { get; }

    /// <summary>
    /// The requester's signed authorization for job <paramref name="job"/> (its key from the name, a zero nonce) allowing
    /// rates up to <paramref name="maxRatePerHour"/> and <paramref name="maxTotal"/> in all, for a day.
    /// </summary>
    public JobAuthorization Authorize(string job, TokenAmount maxRatePerHour, TokenAmount maxTotal)
    {
        var nonce = new byte[JobAuthorization.KeyLength];
        var key = JobAuthorizationSigning.JobKey(Protocol.Receipts.ReceiptEncoding.SpecHash(job), nonce);
        var unsigned = new JobAuthorization(key.ToArray(), nonce, maxRatePerHour, maxTotal, DateTimeOffset.UtcNow.AddDays(1), []);
        return JobAuthorizationSigning.Sign(unsigned, new EscrowDomain(DevChain.ChainId, Address.Parse(Addresses.Escrow)), RequesterKey);
    }

    public static async Task<AnvilParties> DeployAsync(DevChain chain)
    {
        var plan = new DeploymentPlan(chain.Account(TreasuryIndex).Address, chain.Account(CoordinatorIndex).Address);
        var deployed = await ChainDeployer.DeployAsync(chain.Web3(AdminIndex), plan, CancellationToken.None);
        return new AnvilParties(chain, deployed.Addresses);
    }

    /// <summary>Mints, approves and deposits <paramref name="amount"/> for the requester.</summary>
    public async Task FundRequesterAsync(TokenAmount amount)
    {
        await Requester.Token.MintAsync(RequesterAddress, amount, CancellationToken.None);
        await Requester.Token.ApproveAsync(Requester.Escrow.Address, amount, CancellationToken.None);
        await Requester.Escrow.DepositAsync(amount, CancellationToken.None);
    }

    /// <summary>Sends <paramref name="messages"/> from one account with automining off, mines one block, and
    /// returns their receipts (messages need an explicit gas limit: estimating would run them one by one).</summary>
    public static async Task<TransactionReceipt[]> InOneBlockAsync<TMessage>(DevChain chain, int account, string contract, params TMessage[] messages)
        where TMessage : FunctionMessage, new()
    {
        var signer = chain.Account(account);
        var web3 = ChainConnection.CreateWeb3(signer, chain.RpcUrl);
        await web3.Client.SendRequestAsync(new RpcRequest(1, "evm_setAutomine", false));
        var hashes = new List<string>();
        try
        {
            foreach (var message in messages)
                hashes.Add(await web3.Eth.GetContractTransactionHandler<TMessage>().SendRequestAsync(contract, message));
            await web3.Client.SendRequestAsync(new RpcRequest(2, "evm_mine"));
        }
        finally
        {
            await web3.Client.SendRequestAsync(new RpcRequest(3, "evm_setAutomine", true));
        }
        var receipts = new List<TransactionReceipt>();
        foreach (var hash in hashes)
            receipts.Add(await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash));
        return [.. receipts];
    }
}
