using OpenGrid.Chain.Dev;

namespace OpenGrid.Chain.Tests.Anvil;

/// <summary>One real anvil per test class (tests deploy their own contracts, so they do not share state).</summary>
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
