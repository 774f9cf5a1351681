using OpenGrid.Chain.Dev;
using Xunit;

namespace OpenGrid.Testing;

/// <summary>One real anvil per test class, on a loopback port chosen at run time, stopped by pid (tests deploy their own contracts).</summary>
public sealed class AnvilFixture : IAsyncLifetime
{
    private DevChain? _chain;

    public DevChain Chain => _chain ?? throw new InvalidOperationException("anvil has not started");

    public async Task InitializeAsync() => _chain = await DevChain.StartAsync();

    public async Task DisposeAsync()
    {
        if (_chain is not null)
            await _chain.DisposeAsync();
    }
}
