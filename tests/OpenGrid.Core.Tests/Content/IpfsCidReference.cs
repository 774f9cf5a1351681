using System.Diagnostics;
using System.Numerics;
using System.Text.Json;

namespace OpenGrid.Core.Tests.Content;

/// <summary>
/// Runs Debian's <c>ipfs_cid</c> (package <c>ipfs-cid</c>, rust-ipfs's UnixFS adder), an implementation independent
/// of ours. It knows one profile only: plain <c>ipfs add</c> (CIDv0 links, dag-pb leaves, 256 KiB chunks, 174 links),
/// and prints the root as CIDv0 and as the CIDv1 of the same multihash.
/// </summary>
internal static class IpfsCidReference
{
    public const string InstallHint = "apt-get install -y ipfs-cid";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public sealed record Output(string CidV0, string CidV1);

    public static async Task<Output> ComputeAsync(string file)
    {
        var psi = new ProcessStartInfo(Locate(), [file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("ipfs_cid did not start");
        using var cts = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"ipfs_cid did not finish on {file} within {Timeout.TotalSeconds} s");
        }
        Assert.True(process.ExitCode == 0, $"ipfs_cid exited {process.ExitCode} on {file}: {await stderr}");

        using var json = JsonDocument.Parse(await stdout);
        return new Output(
            json.RootElement.GetProperty("CIDv0").GetString()!,
            json.RootElement.GetProperty("CIDv1").GetString()!);
    }

    /// <summary>The 34-byte multihash inside a CIDv0 (<c>Qm…</c>, base58btc).</summary>
    public static byte[] MultihashOfCidV0(string cidV0)
    {
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        var value = BigInteger.Zero;
        foreach (var c in cidV0)
        {
            var digit = alphabet.IndexOf(c, StringComparison.Ordinal);
            Assert.True(digit >= 0, $"'{c}' is not base58btc in {cidV0}");
            value = value * 58 + digit;
        }
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.True(bytes.Length == 34, $"{cidV0} does not hold a 34-byte sha2-256 multihash");
        return bytes;
    }

    private static string Locate()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin");
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, "ipfs_cid");
            if (File.Exists(candidate))
                return candidate;
        }
        Assert.Fail($"ipfs_cid not found on PATH: these tests compare against it. Install it with `{InstallHint}`.");
        return "";
    }
}
