using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace OpenGrid.Dashboard.Tests;

/// <summary>How the coordinator serves the dashboard: routes, headers, and that the API around it is untouched.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class HostingTests(DashboardFixture grid)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/ui")]
    [InlineData("/ui/jobs")]
    [InlineData("/ui/jobs/0196f2a1-0000-7000-8000-000000000000")]
    [InlineData("/ui/anything/else")]
    public async Task Every_page_path_answers_the_app_with_a_strict_content_security_policy(string path)
    {
        using var response = await grid.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/ui/assets/app.js\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Assets_are_served_with_types_and_etags_and_a_missing_one_is_404_not_the_app()
    {
        using var script = await grid.Http.GetAsync("/ui/assets/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var etag = script.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/assets/app.js");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        using var notModified = await grid.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var css = await grid.Http.GetAsync("/ui/assets/app.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        using var missing = await grid.Http.GetAsync("/ui/assets/no-such-file.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_api_and_openapi_document_are_untouched_and_list_no_dashboard_route()
    {
        using var info = await grid.Http.GetAsync("/v1/info");
        Assert.Equal("application/json", info.Content.Headers.ContentType?.MediaType);
        using var unknownApi = await grid.Http.GetAsync("/v1/no-such-endpoint");
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);

        var openApi = await grid.Http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/v1/jobs\"", openApi, StringComparison.Ordinal);
        Assert.DoesNotContain("\"/ui", openApi, StringComparison.Ordinal);
        Assert.DoesNotContain("\"/\"", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Served_vendored_crypto_matches_the_checksums_recorded_from_the_npm_tarballs()
    {
        var sums = await grid.Http.GetStringAsync("/ui/assets/vendor/SHA256SUMS");
        var lines = sums.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.EndsWith("noble-secp256k1/index.js", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("noble-hashes/sha3.js", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            var (expected, file) = (line[..64], line[66..]);
            var bytes = await grid.Http.GetByteArrayAsync($"/ui/assets/vendor/{file}");
            Assert.True(expected == Convert.ToHexStringLower(SHA256.HashData(bytes)),
                $"vendor/{file} differs from what update.sh vendored; re-run src/OpenGrid.Dashboard/vendor/update.sh instead of editing it");
        }
    }
}
