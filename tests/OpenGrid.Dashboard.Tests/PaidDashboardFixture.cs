using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using OpenGrid.Chain;
using OpenGrid.Chain.Dev;
using OpenGrid.Testing;

namespace OpenGrid.Dashboard.Tests;

/// <summary>
/// The dashboard on a grid that settles payments: a real anvil (from contracts/node_modules) with the OpenGrid
/// contracts freshly deployed, the coordinator pointed at them, and its own headless Chromium. Dev account 0
/// deploys, 1 is the coordinator's operator key, 2 the treasury. Anvil is stopped by pid at the end.
/// </summary>
public sealed class PaidDashboardFixture() : DashboardFixture(new PaidGrid())
{
    /// <summary>Gives the account gas and returns the contracts signing with its own key, as <c>og deposit</c> does.</summary>
    public Task<ChainContracts> ContractsForAsync(TestAccount account) => ((PaidGrid)Grid).ContractsForAsync(account);

    /// <summary>A TestGrid whose coordinator settings are known only once anvil runs and the contracts are deployed.</summary>
    private sealed class PaidGrid(List<string> settings) : TestGrid("dashboard-paid", settings)
    {
        private const int AdminIndex = 0, CoordinatorIndex = 1, TreasuryIndex = 2;
        private static readonly CancellationToken None = CancellationToken.None;
        private DevChain? _chain;
        private ChainDeployment? _addresses;

        public PaidGrid()
            : this([])
        {
        }

        public override async Task InitializeAsync()
        {
            _chain = await DevChain.StartAsync();
            var plan = new DeploymentPlan(_chain.Account(TreasuryIndex).Address, _chain.Account(CoordinatorIndex).Address);
            _addresses = (await ChainDeployer.DeployAsync(_chain.Web3(AdminIndex), plan, None)).Addresses;
            var keyFile = Data.Combine("coordinator-key.json");
            await File.WriteAllTextAsync(keyFile, JsonSerializer.Serialize(new Dictionary<string, string> { ["privateKey"] = _chain.PrivateKeys[CoordinatorIndex] }));
            // With payments on the coordinator needs canary accounts' keys; this grid has no canary catalogue, so they stay unfunded.
            var canaryKeyFile = Data.Combine("canary-keys.json");
            await File.WriteAllTextAsync(canaryKeyFile, JsonSerializer.Serialize(new Dictionary<string, string[]>
            {
                ["privateKeys"] = [Nethereum.Signer.EthECKey.GenerateKey().GetPrivateKey()],
            }));
            settings.AddRange(
            [
                $"--Coordinator:Chain:RpcUrl={_chain.RpcUrl}",
                $"--Coordinator:Chain:ChainId={DevChain.ChainId.ToString(CultureInfo.InvariantCulture)}",
                $"--Coordinator:Chain:TokenAddress={_addresses.Token}",
                $"--Coordinator:Chain:EscrowAddress={_addresses.Escrow}",
                $"--Coordinator:Chain:RegistryAddress={_addresses.Registry}",
                $"--Coordinator:Chain:ReputationAddress={_addresses.Reputation}",
                $"--Coordinator:Chain:ReceiptVerifierAddress={_addresses.ReceiptVerifier}",
                $"--Coordinator:Chain:KeyFile={keyFile}",
                $"--Coordinator:Trust:CanaryKeyFile={canaryKeyFile}",
            ]);
            await base.InitializeAsync();
            // Stake to serve: with payments on only bonded providers are matched, so bond both, as og dev does.
            for (var n = 1; n <= 2; n++)
                await BondAsync(Data.Combine($"provider-{n}", "key.json"));
        }

        private async Task BondAsync(string keyFile)
        {
            var chain = _chain!;
            var account = ChainKeyFile.Load(keyFile, DevChain.ChainId);
            await chain.Web3(AdminIndex).Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", account.Address,
                new HexBigInteger(BigInteger.Pow(10, 20)).HexValue));
            var contracts = ChainContracts.At(ChainConnection.CreateWeb3(account, chain.RpcUrl), _addresses!);
            var minBond = await contracts.Registry.MinBondAsync(None);
            await contracts.Token.MintAsync(account.Address, minBond, None);
            await contracts.Token.ApproveAsync(contracts.Registry.Address, minBond, None);
            await contracts.Registry.BondAsync(minBond, None);
        }

        public async Task<ChainContracts> ContractsForAsync(TestAccount account)
        {
            var chain = _chain ?? throw new InvalidOperationException("anvil has not started");
            await chain.Web3(AdminIndex).Client.SendRequestAsync(new RpcRequest(1, "anvil_setBalance", account.Address,
                new HexBigInteger(BigInteger.Pow(10, 20)).HexValue));
            var web3 = ChainConnection.CreateWeb3(ChainKeyFile.Load(account.KeyFile, DevChain.ChainId), chain.RpcUrl);
            return ChainContracts.At(web3, _addresses!);
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            if (_chain is not null)
                await _chain.DisposeAsync();
        }
    }
}
