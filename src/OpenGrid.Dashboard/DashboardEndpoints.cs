using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenGrid.Dashboard;

// In ASP.NET Core's own namespace, as Map*/Use* extensions conventionally are, so the host needs no using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Serves the dashboard: <c>/</c> and every <c>/ui/…</c> page answer with the single <c>index.html</c> (the client
/// routes), <c>/ui/assets/…</c> are the embedded files. Nothing here touches <c>/v1</c> or <c>/openapi</c>: the pages
/// call the public API from the browser like any other client.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Where the pages live; assets are under <c>{UiPath}/assets/</c>.</summary>
    public const string UiPath = "/ui";

    // The pages hold a private key for a moment while signing in: nothing but this origin's own scripts may run,
    // no inline script or style, no framing, no form posts, no fetches elsewhere.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapOpenGridDashboard(this IEndpointRouteBuilder app)
    {
        var assets = DashboardAssets.Load(typeof(DashboardEndpoints).Assembly);
        string[] methods = [HttpMethods.Get, HttpMethods.Head];

        app.MapMethods("/", methods, (HttpContext context) => Serve(context, assets.Index))
            .ExcludeFromDescription();
        app.MapMethods(UiPath + "/{**path}", methods, (HttpContext context, string? path) =>
            {
                path ??= "";
                if (path.StartsWith("assets/", StringComparison.Ordinal))
                    return assets.TryGet(path, out var asset) ? Serve(context, asset) : Results.NotFound();
                return Serve(context, assets.Index);
            })
            .ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context, DashboardAsset asset)
    {
        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache"; // revalidate every time; the ETag makes that a 304
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }
}
