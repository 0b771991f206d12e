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
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (MultiRaftException e)
        {
            return From(context, e);
        }
    }

    /// <summary>The answer to a client exception: its status, headers and JSON error body.</summary>
    public static IResult From(HttpContext context, MultiRaftException exception)
    {
        var request = context.Request;
        switch (exception)
        {
            case PreconditionFailedException e:
                if (e.CurrentVersion != 0)
                {
                    context.Response.Headers.ETag = Conditions.ETag(e.CurrentVersion);
                }

                return Refuse(context, StatusCodes.Status412PreconditionFailed, e.Message);
            case BadRequestException e:
                return Refuse(context, e.IsTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, e.Message);
            case NotFoundException e:
                return Refuse(context, StatusCodes.Status404NotFound, e.Message);
            case OperationRefusedException e:
                return Refuse(context, StatusCodes.Status409Conflict, e.Message);
            case OutcomeUnknownException e:
                HttpLog.OutcomeUnknown(Logger(context), request.Method, request.Path, e);
                return Json(StatusCodes.Status504GatewayTimeout, new ErrorBody("timeout", "unknown"));
            case UnavailableException or ReplicaUnreachableException:
                HttpLog.Unavailable(Logger(context), request.Method, request.Path, exception);
                context.Response.Headers.RetryAfter = "1";
                return Json(StatusCodes.Status503ServiceUnavailable, new ErrorBody(exception.Message));
            default:
                HttpLog.Failed(Logger(context), request.Method, request.Path, exception);
                return Json(StatusCodes.Status500InternalServerError, new ErrorBody(exception.Message));
        }
    }

    /// <summary>A JSON body with a status, serialized through the source-generated context.</summary>
    public static IResult Json(int status, ErrorBody body) =>
        Results.Json(body, HttpJsonContext.Default.ErrorBody, contentType: null, statusCode: status);

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MultiRaft.Http");
}
