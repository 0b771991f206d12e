using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiRaft.Client;

namespace MultiRaft.Http;

/// <summary>Turns refusals and client exceptions into the API's JSON error answers.</summary>
internal static class ApiErrors
{
    /// <summary>A refusal decided here, before the cluster is asked.</summary>
    public static IResult Refuse(HttpContext context, int status, string reason)
    {
        HttpLog.Refused(Logger(context), context.Request.Method, context.Request.Path, status, reason);
        return Json(status, new ErrorBody(reason));
    }

    /// <summary>Runs <paramref name="action"/> and maps the client's exceptions to statuses.</summary>
    public static async Task<IResult> Guard(HttpContext context, Func<Task<IResult>> action)
    {
        var request = context.Request;
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (PreconditionFailedException e)
        {
            if (e.CurrentVersion != 0)
            {
                context.Response.Headers.ETag = Conditions.ETag(e.CurrentVersion);
            }

            return Refuse(context, StatusCodes.Status412PreconditionFailed, e.Message);
        }
        catch (BadRequestException e)
        {
            return Refuse(context, e.IsTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, e.Message);
        }
        catch (NotFoundException e)
        {
            return Refuse(context, StatusCodes.Status404NotFound, e.Message);
        }
        catch (OutcomeUnknownException e)
        {
            HttpLog.OutcomeUnknown(Logger(context), request.Method, request.Path, e);
            return Json(StatusCodes.Status504GatewayTimeout, new ErrorBody("timeout", "unknown"));
        }
        catch (Exception e) when (e is UnavailableException or GatewayUnreachableException)
        {
            HttpLog.Unavailable(Logger(context), request.Method, request.Path, e);
            context.Response.Headers.RetryAfter = "1";
            return Json(StatusCodes.Status503ServiceUnavailable, new ErrorBody(e.Message));
        }
        catch (MultiRaftException e)
        {
            HttpLog.Failed(Logger(context), request.Method, request.Path, e);
            return Json(StatusCodes.Status500InternalServerError, new ErrorBody(e.Message));
        }
    }

    /// <summary>A JSON body with a status, serialized through the source-generated context.</summary>
    public static IResult Json(int status, ErrorBody body) =>
        Results.Json(body, HttpJsonContext.Default.ErrorBody, contentType: null, statusCode: status);

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MultiRaft.Http");
}
