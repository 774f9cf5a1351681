using System.Collections.Concurrent;
using System.Threading.Channels;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Scheduling;
using OpenGrid.Protocol.Gateway;

namespace OpenGrid.Coordinator.Gateway;

/// <summary>One provider's open gateway connection: what it said in its hello, and its outbound queue.</summary>
public sealed class ProviderSession(Address address, Hello hello, DateTimeOffset connectedAt)
{
    private readonly Channel<CoordinatorMessage> _outbox = Channel.CreateUnbounded<CoordinatorMessage>(new UnboundedChannelOptions { SingleReader = true });

    public Address Address => address;
    public Hello Hello => hello;
    public DateTimeOffset ConnectedAt { get; } = connectedAt;
    public DateTimeOffset LastSeen { get; set; } = connectedAt;

    /// <summary>
    /// When this coordinator last heard from the provider before this connection (null: not since it started). A lease
    /// the hello does not name was last vouched for then, not at the hello.
    /// </summary>
    public DateTimeOffset? HeardBefore { get; internal set; }

    /// <summary>Input CIDs the provider holds in its cache (from its hello, then its <c>inputs_cached</c> reports).</summary>
    public IReadOnlySet<string> CachedInputs { get; set; } = (hello.CachedInputs ?? []).ToHashSet(StringComparer.Ordinal);
    public ChannelReader<CoordinatorMessage> Outbox => _outbox.Reader;

    /// <summary>Queues a message; false when the connection is already closing.</summary>
    public bool Send(CoordinatorMessage message) => _outbox.Writer.TryWrite(message);

    public void Close() => _outbox.Writer.TryComplete();

    public ProviderCapacity Capacity => new(
        hello.Hardware.Cores * 1000L,
        hello.Hardware.MemoryBytes,
        hello.Hardware.DiskBytes,
        hello.Hardware.Gpus.Select(g => new GpuInfo(g.Model, g.MemoryBytes)).ToList(),
        hello.Capabilities.ToHashSet(StringComparer.Ordinal));
}

/// <summary>
/// Providers known to this coordinator: the connected ones with their sessions, and the ones seen before that
/// are offline now (kept in memory for <c>og providers</c>).
/// </summary>
public sealed class ConnectedProviders(TimeProvider time)
{
    private readonly ConcurrentDictionary<Address, ProviderSession> _online = new();
    private readonly ConcurrentDictionary<Address, ProviderSession> _offline = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When this coordinator started: the last-seen time of providers it has not heard from yet.</summary>
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>When the provider last spoke on any connection to this coordinator (or when it started).</summary>
    public DateTimeOffset LastSeen(Address provider) =>
        _online.TryGetValue(provider, out var on) ? on.LastSeen
        : _offline.TryGetValue(provider, out var off) ? off.LastSeen
        : StartedAt;

    /// <summary>
    /// When this coordinator last heard anything from the provider (a hello, heartbeat or report, on any connection), or
    /// null when it has not heard from it since it started. Streaming pay counts a live lease's time up to here.
    /// </summary>
    public DateTimeOffset? LastHeard(Address provider) =>
        _online.TryGetValue(provider, out var on) ? on.LastSeen
        : _offline.TryGetValue(provider, out var off) ? off.LastSeen
        : null;

    public IReadOnlyList<ProviderSession> Online => _online.Values.OrderBy(s => s.ConnectedAt).ToList();

    public IReadOnlyList<ProviderSession> Offline => _offline.Values.Where(s => !_online.ContainsKey(s.Address)).ToList();

    public bool TryGet(Address address, out ProviderSession session) => _online.TryGetValue(address, out session!);

    /// <summary>Completes at the next connect or disconnect; take it before reading <see cref="Online"/>.</summary>
    public Task NextChange() => Volatile.Read(ref _changed).Task;

    /// <summary>Registers a new session, closing and returning any older session of the same provider.</summary>
    public ProviderSession? Connect(ProviderSession session)
    {
        ProviderSession? previous = null;
        _offline.TryGetValue(session.Address, out var offline);
        _online.AddOrUpdate(session.Address, session, (_, old) =>
        {
            previous = old;
            return session;
        });
        session.HeardBefore = (previous ?? offline)?.LastSeen;
        _offline.TryRemove(session.Address, out _);
        previous?.Close();
        RaiseChanged();
        return previous;
    }

    /// <summary>Removes the session if it is still the current one; true when it was.</summary>
    public bool Disconnect(ProviderSession session)
    {
        session.Close();
        if (!_online.TryRemove(new KeyValuePair<Address, ProviderSession>(session.Address, session)))
            return false;
        _offline[session.Address] = session;
        RaiseChanged();
        return true;
    }

    private void RaiseChanged() =>
        Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
