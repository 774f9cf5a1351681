using System.Net;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

public sealed class DurabilityTests
{
    [Fact]
    public async Task A_restarted_coordinator_still_has_every_job_and_accepts_the_old_token()
    {
        using var data = new TempDir("opengrid-restart");
        var requester = Identity.Generate();
        string id;
        string token;
        await using (var first = CoordinatorFactory.Over(data.Path))
        {
            var client = first.NewClient(requester);
            id = (await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("survivor", "true"), null, null), default)).Id;
            token = await client.GetTokenAsync(default);
        }

        await using var second = CoordinatorFactory.Over(data.Path);
        var job = await second.NewClient(requester).GetJobAsync(id, default);
        Assert.Equal(("survivor", "queued"), (job.Name, job.State));

        var http = second.CreateClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/jobs/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_v1_routes()
    {
        await using var factory = new CoordinatorFactory();
        var json = await factory.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/v1/jobs\"", json);
        Assert.Contains("\"/v1/content\"", json);
        Assert.Contains("\"/v1/auth/token\"", json);
    }
}
