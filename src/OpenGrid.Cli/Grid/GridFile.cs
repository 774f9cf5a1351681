using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenGrid.Cli.Grid;

/// <summary>
/// What a running <c>og dev</c> grid writes to <c>&lt;data&gt;/grid.json</c> and <c>$OPENGRID_HOME/dev-grid.json</c>
/// so that other commands find it without flags: the coordinator's URL and the pids it started
/// (<c>og</c> itself, <c>coordinator</c>, <c>dev-provider-N</c>).
/// </summary>
internal sealed record GridFile(string Coordinator, IReadOnlyDictionary<string, int> Pids, DateTimeOffset StartedAt, string Data)
{
    public const string FileName = "grid.json";
    public const string HomeFileName = "dev-grid.json";
    public const string SupervisorPid = "og";
    public const string CoordinatorPid = "coordinator";

    /// <summary>The grid file in <paramref name="path"/>, or null when there is none or it is not a grid file.</summary>
    public static GridFile? TryRead(string path)
    {
        try
        {
            if (!File.Exists(path))
                return null;
            var grid = JsonSerializer.Deserialize(File.ReadAllText(path), GridJsonContext.Default.GridFile);
            return grid is { Coordinator.Length: > 0, Pids: not null } ? grid : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes atomically (temp file + rename) so a reader never sees half a file.</summary>
    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, GridJsonContext.Default.GridFile));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The recorded processes that are still alive.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> LivePids() =>
        Pids.Where(p => ProcessSignals.IsAlive(p.Value)).ToList();

    /// <summary>Whether the grid's coordinator process is still alive.</summary>
    [JsonIgnore]
    public bool CoordinatorAlive => Pids.TryGetValue(CoordinatorPid, out var pid) && ProcessSignals.IsAlive(pid);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(GridFile))]
internal sealed partial class GridJsonContext : JsonSerializerContext;
