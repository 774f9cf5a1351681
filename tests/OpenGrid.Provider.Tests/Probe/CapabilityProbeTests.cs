using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenGrid.Provider.Probe;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Probe;

public sealed class CapabilityProbeTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_detector_that_throws_is_logged_and_absent_while_the_others_are_offered()
    {
        var log = new RecordingLogger();

        var found = await CapabilityProbe.DetectAsync(
            [new Fixed("b-cap"), new Throwing("broken"), new Fixed("a-cap")], Generous, log, default);

        Assert.Equal(["a-cap", "b-cap"], found);
        Assert.Contains(log.Warnings, w => w.Contains("broken") && w.Contains("the runtime is broken"));
    }

    [Fact]
    public async Task A_detector_that_hangs_is_cut_off_at_the_timeout_and_absent()
    {
        var log = new RecordingLogger();

        var found = await CapabilityProbe.DetectAsync([new Hanging(), new Fixed("ok")], TimeSpan.FromMilliseconds(100), log, default);

        Assert.Equal(["ok"], found);
        Assert.Contains(log.Warnings, w => w.Contains("hangs") && w.Contains("did not finish"));
    }

    [Fact]
    public async Task A_command_that_exits_zero_gives_its_capability()
    {
        Assert.Equal(["shell"], await new CommandCapability("shell", "/bin/sh", ["-c", "exit 0"]).DetectAsync(default));
    }

    [Fact]
    public async Task A_command_that_fails_throws_with_its_status_so_the_probe_logs_why()
    {
        var e = await Assert.ThrowsAsync<ProbeFailedException>(
            () => new CommandCapability("torch", "/bin/sh", ["-c", "exit 3"]).DetectAsync(default));

        Assert.Contains("status 3", e.Message);
    }

    [Fact]
    public async Task A_program_that_is_not_installed_is_simply_absent()
    {
        using var empty = new TempDir("no-path");

        Assert.Empty(await new CommandCapability("blender", "blender", ["--version"], searchPath: empty.Path).DetectAsync(default));
        Assert.Empty(await new CommandCapability("x", "/nonexistent/bin/x", []).DetectAsync(default));
    }

    [Fact]
    public void A_bare_program_name_is_found_on_the_search_path()
    {
        Assert.Equal("/bin/sh", CommandCapability.Resolve("sh", "/nonexistent:/bin:/usr/bin"));
        Assert.Null(CommandCapability.Resolve("sh", "/nonexistent"));
    }

    [Fact]
    public async Task A_file_capability_follows_the_file()
    {
        using var dir = new TempDir("file-cap");
        var marker = dir.Combine("train-images-idx3-ubyte.gz");

        Assert.Empty(await new FileCapability("dataset", marker).DetectAsync(default));
        File.WriteAllText(marker, "");
        Assert.Equal(["dataset"], await new FileCapability("dataset", marker).DetectAsync(default));
    }

    [Fact]
    public async Task This_machine_offers_what_is_installed_on_it()
    {
        using var dir = new TempDir("probe");

        var inventory = await ResourceProbe.DetectAsync(dir.Path, NullLogger.Instance, default);

        Assert.Equal(Environment.ProcessorCount, inventory.Hardware.Cores);
        Assert.Contains("runtime:process", inventory.Capabilities);
        // Independent signs of each package, not the probes' own commands.
        Assert.Equal(File.Exists("/usr/bin/blender"), inventory.Capabilities.Contains("blender"));
        Assert.Equal(Directory.Exists("/usr/lib/python3/dist-packages/torch"), inventory.Capabilities.Contains("python3-torch"));
        Assert.Equal(File.Exists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), inventory.Capabilities.Contains("dataset-fashion-mnist"));
        Assert.Equal(inventory.Hardware.Gpus.Count > 0, inventory.Capabilities.Any(c => c.StartsWith("gpu:", StringComparison.Ordinal)));
    }

    private sealed class Fixed(string capability) : ICapabilityDetector
    {
        public string Name => capability;

        public Task<IReadOnlyList<string>> DetectAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([capability]);
    }

    private sealed class Throwing(string name) : ICapabilityDetector
    {
        public string Name => name;

        public Task<IReadOnlyList<string>> DetectAsync(CancellationToken cancellationToken) =>
            throw new ProbeFailedException("the runtime is broken");
    }

    private sealed class Hanging : ICapabilityDetector
    {
        public string Name => "hangs";

        public async Task<IReadOnlyList<string>> DetectAsync(CancellationToken cancellationToken)
        {
            // Ignores its token, like a probe stuck in a system call: the probe must not wait for it.
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
            return ["never"];
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                    return [.. _warnings];
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel != LogLevel.Warning)
                return;
            lock (_warnings)
                _warnings.Add(formatter(state, exception));
        }
    }
}
