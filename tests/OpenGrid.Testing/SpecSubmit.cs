using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Testing;

/// <summary>Submitting spec text the way og submit does: parsed, and with a signed authorization when the grid settles payments.</summary>
public static class SpecSubmit
{
    public static Task<JobView> SubmitSpecAsync(this OpenGridClient client, string specText, CancellationToken ct = default)
    {
        var parsed = JobSpecParser.Parse(specText, "job.yaml");
        var spec = parsed.Spec ?? throw new ArgumentException($"the test spec does not parse: {parsed.Errors[0]}", nameof(specText));
        return client.SubmitAsync(new SubmitJobRequest(specText, null, null), spec, ct);
    }
}
