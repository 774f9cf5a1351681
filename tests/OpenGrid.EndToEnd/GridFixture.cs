using OpenGrid.Testing;

namespace OpenGrid.EndToEnd;

/// <summary>
/// The end-to-end grid: heartbeat 1 s + grace 2 s and a 0.2 s retry backoff, so a lost lease is noticed within
/// about 3 s.
/// </summary>
public sealed class GridFixture() : TestGrid("e2e",
    ["--Coordinator:HeartbeatSeconds=1", "--Coordinator:LeaseGraceSeconds=2", "--Coordinator:RetryBackoff=00:00:00.200"]);
