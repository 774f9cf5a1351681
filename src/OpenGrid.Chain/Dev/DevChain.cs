using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace OpenGrid.Chain.Dev;

/// <summary>How to start a <see cref="DevChain"/>.</summary>
public sealed record DevChainOptions
{
    /// <summary>The anvil binary; default <c>$OPENGRID_ANVIL</c>, else found under <c>contracts/node_modules</c>
    /// of the nearest enclosing checkout.</summary>
    public string? AnvilPath { get; init; }

    /// <summary>Dev accounts to create (each funded with 10 000 ETH); their keys are in <see cref="DevChain.PrivateKeys"/>.</summary>
    public int Accounts { get; init; } = 10;

    /// <summary>When set, anvil loads and saves its state here (<c>--state</c>), so a restart keeps contracts and balances.</summary>
    public string? StateFile { get; init; }

    /// <summary>With <see cref="StateFile"/>: also save the state this often (<c>--state-interval</c>), so a killed
    /// anvil loses at most this much. Null saves on a clean exit only.</summary>
    public TimeSpan? StateInterval { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// A local anvil node (chain id 31337) on a loopback port chosen at run time, for <c>og dev</c> and tests.
/// Started from the npm package <c>@foundry-rs/anvil</c> in <c>contracts/node_modules</c>; stopped by pid on dispose.
/// </summary>
public sealed partial class DevChain : IAsyncDisposable
{
    public const long ChainId = 31337;
    public const string AnvilVariable = "OPENGRID_ANVIL";
    public const string InstallHint = "install it: cd contracts && npm ci";

    private readonly Process _process;

    private DevChain(Process process, string rpcUrl, IReadOnlyList<string> privateKeys)
    {
        _process = process;
        RpcUrl = rpcUrl;
        PrivateKeys = privateKeys;
    }

    public string RpcUrl { get; }

    public int ProcessId => _process.Id;

    /// <summary>Completes with anvil's exit code when it exits, on its own or stopped.</summary>
    public Task<int> Exited => _exited ??= WaitForExitCodeAsync();

    private Task<int>? _exited;

    private async Task<int> WaitForExitCodeAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The dev accounts' private keys (public, well-known test keys: never use them on a real network).</summary>
    public IReadOnlyList<string> PrivateKeys { get; }

    public Account Account(int index) => new(PrivateKeys[index], ChainId);

    /// <summary>A Web3 that signs with dev account <paramref name="index"/>.</summary>
    public IWeb3 Web3(int index) => ChainConnection.CreateWeb3(Account(index), RpcUrl);

    public static async Task<DevChain> StartAsync(DevChainOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DevChainOptions();
        var anvil = LocateAnvil(options.AnvilPath);
        var start = new ProcessStartInfo(anvil)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--host", "127.0.0.1", "--port", "0", "--chain-id", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--accounts", options.Accounts.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        if (options.StateFile is not null)
        {
            start.ArgumentList.Add("--state");
            start.ArgumentList.Add(options.StateFile);
            if (options.StateInterval is { } interval)
            {
                start.ArgumentList.Add("--state-interval");
                start.ArgumentList.Add(Math.Max(1, (long)Math.Ceiling(interval.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var keys = new List<string>();
        var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            if (KeyLine().Match(e.Data) is { Success: true } k)
                lock (keys) keys.Add(k.Groups[1].Value);
            else if (ListeningLine().Match(e.Data) is { Success: true } l)
                listening.TrySetResult(l.Groups[1].Value);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Enqueue(e.Data); };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException(
            $"anvil exited with code {process.ExitCode} before listening: {string.Join(" | ", stderr)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var endpoint = await listening.Task.WaitAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            var chain = new DevChain(process, "http://" + endpoint, KeysSnapshot(keys));
            var reported = await new Web3(chain.RpcUrl).Eth.ChainId.SendRequestAsync().WaitAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            if (reported.Value != ChainId)
                throw new InvalidOperationException($"anvil at {chain.RpcUrl} reports chain id {reported.Value}, expected {ChainId}");
            return chain;
        }
        catch (TimeoutException)
        {
            Stop(process);
            throw new TimeoutException($"anvil ({anvil}) did not print 'Listening on' and answer eth_chainId within {options.StartTimeout.TotalSeconds:0} s; stderr: {string.Join(" | ", stderr)}");
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    /// <summary>The anvil binary to run, or an exception that says how to install it.</summary>
    public static string LocateAnvil(string? explicitPath = null) =>
        LocateAnvil(explicitPath ?? Environment.GetEnvironmentVariable(AnvilVariable), [AppContext.BaseDirectory, Environment.CurrentDirectory]);

    internal static string LocateAnvil(string? path, IEnumerable<string> searchFrom)
    {
        if (!string.IsNullOrEmpty(path))
            return File.Exists(path) ? path : throw new FileNotFoundException($"anvil not found at {path} (from {AnvilVariable} or options)", path);

        var relative = Path.Combine("contracts", "node_modules", "@foundry-rs", $"anvil-{PlatformSuffix()}", "bin",
            OperatingSystem.IsWindows() ? "anvil.exe" : "anvil");
        foreach (var start in searchFrom)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                    return candidate;
                if (File.Exists(Path.Combine(dir.FullName, "contracts", "package.json")))
                    throw new FileNotFoundException($"anvil is not installed ({candidate} is missing); {InstallHint}", candidate);
            }
        }
        throw new FileNotFoundException(
            $"anvil not found: no OpenGrid contracts/ folder above {string.Join(" or ", searchFrom)}; {InstallHint} in the OpenGrid checkout, or set {AnvilVariable}");
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited between the check and the kill.
        }
    }

    private static List<string> KeysSnapshot(List<string> keys)
    {
        lock (keys) return [.. keys];
    }

    private static string PlatformSuffix()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : "win32";
        var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";
        return $"{os}-{arch}";
    }

    [GeneratedRegex(@"^\(\d+\) (0x[0-9a-fA-F]{64})$")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^Listening on (\S+:\d+)$")]
    private static partial Regex ListeningLine();
}
