namespace OpenGrid.Testing;

/// <summary>Small job specs for tests, as YAML text. Builders over strings keep the wire format honest.</summary>
public static class JobSpecs
{
    public static string Shell(string name, string script, string memory = "128Mi", string cpu = "500m", string timeout = "1m") => $$"""
        apiVersion: opengrid/v1
        kind: Job
        name: {{name}}
        runtime:
          kind: process
          command: [sh, -c, {{Quote(script)}}]
        resources: { cpu: {{cpu}}, memory: {{memory}}, disk: 64Mi }
        limits: { timeout: {{timeout}} }
        """;

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
