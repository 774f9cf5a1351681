using System.Diagnostics;
using Nethereum.Web3;
using OpenGrid.Chain.Dev;

namespace OpenGrid.Chain.Tests.Anvil;

[Trait("Category", "Anvil")]
public class DevChainTests
{
    [Fact]
    public async Task DevChain_starts_anvil_on_a_loopback_port_chosen_at_run_time_and_stops_it_by_pid()
    {
        int pid;
        await using (var chain = await DevChain.StartAsync(new DevChainOptions { Accounts = 3 }))
        {
            pid = chain.ProcessId;
            var uri = new Uri(chain.RpcUrl);
            Assert.Equal("127.0.0.1", uri.Host);
            Assert.NotEqual(8545, uri.Port);
            Assert.Equal(3, chain.PrivateKeys.Count);
            Assert.Equal(DevChain.ChainId, (long)(await new Web3(chain.RpcUrl).Eth.ChainId.SendRequestAsync()).Value);
            var balance = await chain.Web3(0).Eth.GetBalance.SendRequestAsync(chain.Account(0).Address);
            Assert.True(balance.Value > 0, "dev account 0 has no ether");
        }
        Assert.False(IsRunning(pid), $"anvil (pid {pid}) still runs after dispose");
    }

    [Fact]
    public async Task Two_dev_chains_run_side_by_side_on_different_ports()
    {
        await using var a = await DevChain.StartAsync(new DevChainOptions { Accounts = 1 });
        await using var b = await DevChain.StartAsync(new DevChainOptions { Accounts = 1 });
        Assert.NotEqual(a.RpcUrl, b.RpcUrl);
    }

    [Fact]
    public void A_missing_anvil_names_the_install_command()
    {
        var checkout = Directory.CreateTempSubdirectory("og-checkout-");
        try
        {
            Directory.CreateDirectory(Path.Combine(checkout.FullName, "contracts"));
            File.WriteAllText(Path.Combine(checkout.FullName, "contracts", "package.json"), "{}");
            var e = Assert.Throws<FileNotFoundException>(() => DevChain.LocateAnvil(null, [checkout.FullName]));
            Assert.Contains("cd contracts && npm ci", e.Message);
            var explicitPath = Assert.Throws<FileNotFoundException>(() => DevChain.LocateAnvil("/nonexistent/anvil", [checkout.FullName]));
            Assert.Contains("/nonexistent/anvil", explicitPath.Message);
        }
        finally
        {
            checkout.Delete(recursive: true);
        }
    }

    [Fact]
    public void Anvil_is_found_in_the_checkout_from_the_test_binaries()
    {
        Assert.EndsWith(Path.Combine("bin", "anvil"), DevChain.LocateAnvil());
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
