using Astro.Services.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Astro.Functions.Hosting;

/// <summary>
/// The host's single-line text console format: <c>12:00:00.000 info: Category[0] => CorrelationId=c-… Blob=catalogs/x.csv Chunk=2 => message</c>.
/// Unlike the simple formatter, key/value scopes (the <c>Dictionary&lt;string, object&gt;</c> scopes of the pipelines,
/// WebJobs' function scope) are rendered as pairs (<see cref="LogScope.Render"/>), not as their type name.
/// </summary>
internal sealed class AstroConsoleFormatter : ConsoleFormatter, IDisposable
{
    /// <summary>The formatter's name (<c>Astro:Logging:Format=text</c>, the default).</summary>
    public const string FormatterName = "astro";

    private readonly IDisposable? _reload;
    private SimpleConsoleFormatterOptions _options;

    public AstroConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(Format(logEntry.LogLevel, logEntry.Category, logEntry.EventId.Id, message, logEntry.Exception, _options.IncludeScopes ? scopeProvider : null, _options.TimestampFormat is null ? null : (_options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now).ToString(_options.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Formats one line (plus the exception's lines), ending with a newline.</summary>
    internal static string Format(LogLevel level, string category, int eventId, string? message, Exception? exception, IExternalScopeProvider? scopes, string? timestamp)
    {
        var sb = new System.Text.StringBuilder(256);
        sb.Append(timestamp).Append(Level(level)).Append(": ").Append(category).Append('[').Append(eventId).Append(']');
        scopes?.ForEachScope(
            (scope, b) =>
            {
                string text = LogScope.Render(scope);
                if (text.Length > 0)
                {
                    b.Append(" => ").Append(text);
                }
            },
            sb);
        if (!string.IsNullOrEmpty(message))
        {
            sb.Append(' ').Append(message.ReplaceLineEndings(" "));
        }

        if (exception is not null)
        {
            sb.Append(Environment.NewLine).Append(exception.ToString());
        }

        return sb.Append(Environment.NewLine).ToString();
    }

    public void Dispose() => _reload?.Dispose();

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
