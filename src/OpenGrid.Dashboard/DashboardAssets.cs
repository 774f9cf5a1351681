using System.Reflection;
using System.Security.Cryptography;

namespace OpenGrid.Dashboard;

/// <summary>One file of the dashboard: its bytes, content type and strong ETag.</summary>
internal sealed record DashboardAsset(string Path, byte[] Bytes, string ContentType, string ETag);

/// <summary>
/// The dashboard's files, read once from this assembly's embedded resources (logical names <c>wwwroot/…</c>, see the
/// csproj). They are small (about 200 KB in all), so they are held in memory and served without touching the disk.
/// </summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json",
        [".png"] = "image/png",
    };

    private readonly Dictionary<string, DashboardAsset> _byPath;

    private DashboardAssets(Dictionary<string, DashboardAsset> byPath, DashboardAsset index)
    {
        _byPath = byPath;
        Index = index;
    }

    /// <summary>The single page every dashboard route answers with; the client-side router takes it from there.</summary>
    public DashboardAsset Index { get; }

    public int Count => _byPath.Count;

    public static DashboardAssets Load(Assembly assembly)
    {
        var byPath = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var path = name[Prefix.Length..].Replace('\\', '/');
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "text/plain; charset=utf-8");
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"";
            byPath[path] = new DashboardAsset(path, bytes, type, etag);
        }
        if (!byPath.TryGetValue("index.html", out var index))
            throw new InvalidOperationException($"{assembly.GetName().Name} has no embedded wwwroot/index.html; check the EmbeddedResource item in its csproj");
        return new DashboardAssets(byPath, index);
    }

    /// <summary>The file at <paramref name="path"/> relative to wwwroot (e.g. <c>assets/app.js</c>).</summary>
    public bool TryGet(string path, out DashboardAsset asset) => _byPath.TryGetValue(path, out asset!);
}
