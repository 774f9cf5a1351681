using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Content;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// <c>/v1/content</c>: the content store. Uploads stream to disk while hashing (never buffered whole) under a size
/// cap; downloads are re-hashed before they are served. Access: whoever uploaded a CID, owns a job that uses or
/// produced it, or holds a lease on a job that uses it.
/// </summary>
public static class ContentEndpoints
{
    public static void MapContentEndpoints(this IEndpointRouteBuilder app)
    {
        var content = app.MapGroup("/v1/content").WithTags("content").RequireAuthorization();

        content.MapPost("/", async (HttpContext context, ClaimsPrincipal user, FileBlockstore blocks, IJobStore store,
            IOptions<CoordinatorOptions> options, CancellationToken ct) =>
        {
            var max = options.Value.MaxContentBytes;
            if (context.Request.ContentLength is { } declared && declared > max)
                return TooLarge(max);
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = null; // The blockstore enforces MaxContentBytes while streaming.

            ContentPutResult result;
            try
            {
                result = await blocks.PutAsync(context.Request.Body, context.Request.ContentLength, ct);
            }
            catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
            {
                return Problems.Result(ErrorCodes.ContentIncomplete, "the upload broke off; nothing was stored");
            }
            return result switch
            {
                ContentPutResult.Stored stored => await StoredAsync(stored, user, store, ct),
                ContentPutResult.TooLarge => TooLarge(max),
                _ => Problems.Result(ErrorCodes.ContentIncomplete, "the body ended before Content-Length bytes arrived; nothing was stored"),
            };
        }).Accepts<Stream>("application/octet-stream").Produces<ContentPutResponse>(StatusCodes.Status201Created);

        // Whether the caller could GET it, without the bytes: og submit asks before uploading an input again.
        content.MapMethods("/{cid}", [HttpMethods.Head], async (string cid, HttpContext context, ClaimsPrincipal user,
            FileBlockstore blocks, IJobStore store, CancellationToken ct) =>
        {
            var (_, size, refused) = await ReadableAsync(cid, user, blocks, store, ct);
            if (refused is not null)
                return refused;
            context.Response.ContentLength = size;
            context.Response.ContentType = "application/octet-stream";
            return Results.Empty;
        });

        content.MapGet("/{cid}", async (string cid, ClaimsPrincipal user, FileBlockstore blocks, IJobStore store, CancellationToken ct) =>
        {
            var (parsed, _, refused) = await ReadableAsync(cid, user, blocks, store, ct);
            if (refused is not null)
                return refused;
            try
            {
                var stream = await blocks.OpenVerifiedAsync(parsed, ct);
                return stream is null
                    ? Problems.Result(ErrorCodes.ContentNotFound, $"{cid} is not in the content store")
                    : Results.Stream(stream, "application/octet-stream");
            }
            catch (ContentCorruptException)
            {
                return Problems.Result(ErrorCodes.ContentCorrupt, $"the stored bytes of {cid} no longer match it; they were quarantined");
            }
        });
    }

    /// <summary>
    /// The checks GET and HEAD share: a valid CID, stored (its size), and readable by the caller; otherwise the problem
    /// to answer. Content the caller may not read is answered exactly as content that is not stored: otherwise anyone
    /// could learn whether somebody uploaded a given file by asking for its CID.
    /// </summary>
    private static async Task<(Cid Cid, long Size, IResult? Refused)> ReadableAsync(
        string cid, ClaimsPrincipal user, FileBlockstore blocks, IJobStore store, CancellationToken ct)
    {
        if (!Cid.TryParse(cid, out var parsed))
            return (default, 0, Problems.Result(ErrorCodes.ContentInvalidCid, $"'{cid}' is not a CIDv1 (base32, sha2-256)"));
        if (blocks.SizeOf(parsed) is not { } size || !await store.CanReadContentAsync(parsed, user.Account(), ct))
        {
            return (parsed, 0, Problems.Result(ErrorCodes.ContentNotFound,
                $"{cid} is not in the content store, or no upload, job or lease of yours uses it"));
        }
        return (parsed, size, null);
    }

    private static async Task<IResult> StoredAsync(ContentPutResult.Stored stored, ClaimsPrincipal user, IJobStore store, CancellationToken ct)
    {
        await store.GrantContentAsync(stored.Cid, user.Account(), ct);
        return Results.Created($"/v1/content/{stored.Cid}", new ContentPutResponse(stored.Cid.ToString(), stored.Size));
    }

    private static IResult TooLarge(long max) =>
        Problems.Result(ErrorCodes.ContentTooLarge, $"content is larger than this coordinator's limit of {max} bytes");
}
