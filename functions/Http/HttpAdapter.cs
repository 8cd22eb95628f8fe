using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Astro.Functions.Hosting;
using Astro.Services;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Astro.Functions.Http;

/// <summary>
/// Serves the HTTP functions from Kestrel: routes, the function key (<c>x-functions-key</c> header or <c>code</c> query;
/// health is anonymous), request size limits, and errors as JSON (<c>{"error": …, "problem": …}</c>, 4xx for bad input).
/// </summary>
public static class HttpAdapter
{
    /// <summary>Maps the routes and the key check.</summary>
    /// <param name="app">The application.</param>
    public static void Configure(IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        FunctionAppSettings settings = app.ApplicationServices.GetRequiredService<FunctionAppSettings>();
        byte[] key = Encoding.UTF8.GetBytes(settings.FunctionKey);
        ILogger logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Astro.Functions.Http");
        FunctionMetrics metrics = app.ApplicationServices.GetRequiredService<FunctionMetrics>();

        // Routing first so the duration metric knows the route template (the key check below still runs before any endpoint).
        app.UseRouting();
        app.Use(async (context, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                metrics.HttpRequest(route, context.Request.Method, context.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        });
        app.Use(async (context, next) =>
        {
            string path = context.Request.Path.Value ?? "";
            if (path.StartsWith("/api/", StringComparison.Ordinal) && path != "/api/health")
            {
                string? given = context.Request.Headers["x-functions-key"].FirstOrDefault() ?? context.Request.Query["code"].FirstOrDefault();
                if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), key))
                {
                    await Error(context, StatusCodes.Status401Unauthorized, "unauthorized", given is null ? "A function key is required (x-functions-key header or code query)." : "The function key is not valid.").ConfigureAwait(false);
                    return;
                }
            }

            await next(context).ConfigureAwait(false);
        });
        RequestDelegate Handle(Func<HttpFunctions, HttpContext, Task<IResult>> function) => c => Run(c, logger, function);
        app.UseEndpoints(e =>
        {
            e.MapGet("/api/health", Handle((f, _) => Task.FromResult(f.Health())));
            e.MapGet("/api/models", Handle((f, _) => Task.FromResult(f.Models())));
            e.MapPost("/api/predict", Handle((f, c) => f.PredictAsync(c.Request, c.RequestAborted)));
            e.MapPost("/api/predict/catalog", Handle((f, c) => f.PredictCatalogAsync(c.Request, c.RequestAborted)));
            e.MapPost("/api/training-jobs", Handle((f, c) => f.EnqueueTrainingJobAsync(c.Request, c.RequestAborted)));
        });
    }

    private static async Task Run(HttpContext context, ILogger logger, Func<HttpFunctions, HttpContext, Task<IResult>> function)
    {
        HttpFunctions functions = context.RequestServices.GetRequiredService<HttpFunctions>();
        IResult result;
        try
        {
            result = await function(functions, context).ConfigureAwait(false);
        }
        catch (InvalidInputException e)
        {
            int status = e.Problem switch
            {
                InputProblem.TooLarge => StatusCodes.Status413PayloadTooLarge,
                InputProblem.UnknownProfile => StatusCodes.Status404NotFound,
                InputProblem.NoUsableRows => StatusCodes.Status422UnprocessableEntity,
                _ => StatusCodes.Status400BadRequest,
            };
            logger.LogInformation("{Method} {Path}: {Status} {Reason}", context.Request.Method, context.Request.Path, status, e.Message);
            await Error(context, status, Camel(e.Problem.ToString()), e.Message).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e)
        {
            await Error(context, e.StatusCode, "badRequest", $"Request: {e.Message}").ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await Error(context, StatusCodes.Status500InternalServerError, "internal", "The function failed; see the host log.").ConfigureAwait(false);
            return;
        }

        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static Task Error(HttpContext context, int status, string problem, string message) =>
        Results.Json(new JsonObject { ["error"] = message, ["problem"] = problem }, statusCode: status).ExecuteAsync(context);

    private static string Camel(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];
}
