using OpenGrid.Protocol.Specs;

namespace OpenGrid.Core.Tests.Specs;

/// <summary>
/// The provider view of a spec (what <c>Assign</c> carries and receipts hash): only what the sandbox needs, in one
/// canonical form, so that a verified job, a replica and a canary read like any other job.
/// </summary>
public sealed class ProviderSpecTests
{
    private const string Full = """
        # A comment the provider never sees.
        apiVersion: opengrid/v1
        kind: Job
        name: render
        runtime:
          kind: process
          command: [sh, render.sh]
          env: { B: "2", A: "1" }
        inputs:
          - { path: render.sh, from: /home/alice/render.sh }
        outputs:
          - { path: frame.png, compare: image }
        resources: { cpu: 2, memory: 1Gi, disk: 2Gi }
        limits: { timeout: 30m, processes: 64 }
        network: { egress: none }
        price: { maxPerHour: "0.40", mode: streaming }
        verify: { replicas: 3, quorum: 2, adaptive: false }
        requires: [blender]
        placement: { minReputation: 0.8, region: eu-west, maxStartDelay: 10m }
        """;

    private static Core.Specs.JobSpec Parse(string text) => JobSpecParser.Parse(text, "job.yaml").Spec ?? throw new InvalidOperationException(text);

    [Fact]
    public void The_view_keeps_what_the_sandbox_needs_and_nothing_only_the_coordinator_uses()
    {
        var view = ProviderSpec.Of(Parse(Full));
        var parsed = Parse(view);

        Assert.Equal(
            "apiVersion: opengrid/v1\nkind: Job\nname: \"render\"\nruntime:\n  kind: process\n  command: [\"sh\", \"render.sh\"]\n  args: []\n  env:\n    A: \"1\"\n    B: \"2\"\n"
            + "resources:\n  cpu: 2\n  memory: 1Gi\n  disk: 2Gi\n  gpu:\n    count: 0\nlimits:\n  timeout: 30m\n  processes: 64\nnetwork:\n  egress: none\n",
            view);
        foreach (var hidden in new[] { "verify", "replicas", "price", "placement", "requires", "outputs", "inputs", "alice", "comment" })
            Assert.DoesNotContain(hidden, view, StringComparison.Ordinal);
        Assert.Equal(view, ProviderSpec.Of(parsed));
    }

    [Fact]
    public void Specs_that_differ_only_in_what_the_coordinator_uses_give_the_same_view()
    {
        var unverified = Full.Replace("verify: { replicas: 3, quorum: 2, adaptive: false }", "verify: { replicas: 1 }", StringComparison.Ordinal)
            .Replace("price: { maxPerHour: \"0.40\", mode: streaming }", "", StringComparison.Ordinal)
            .Replace("/home/alice/render.sh", "./render.sh", StringComparison.Ordinal)
            .Replace("# A comment the provider never sees.", "# A known-answer job.", StringComparison.Ordinal);

        Assert.Equal(ProviderSpec.Of(Parse(Full)), ProviderSpec.Of(Parse(unverified)));
        Assert.Equal(ProviderSpec.Hash(Parse(Full)), ProviderSpec.Hash(Parse(unverified)));
    }

    [Fact]
    public void A_view_is_recognised_as_the_view_of_its_spec_and_of_no_spec_that_runs_differently()
    {
        var spec = Parse(Full);
        var view = ProviderSpec.Of(spec);

        Assert.True(ProviderSpec.IsViewOf(view, spec));
        Assert.True(ProviderSpec.IsViewOf(Full, spec)); // the spec itself keeps the same runtime, resources and limits
        Assert.False(ProviderSpec.IsViewOf(view.Replace("timeout: 30m", "timeout: 31m", StringComparison.Ordinal), spec));
        Assert.False(ProviderSpec.IsViewOf(view.Replace("\"render.sh\"", "\"other.sh\"", StringComparison.Ordinal), spec));
        Assert.False(ProviderSpec.IsViewOf("not: [a spec", spec));
    }
}
