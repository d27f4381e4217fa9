using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore;
using Traceline.Export;

namespace Traceline.Cli.Tests.Services;

/// <summary>
/// A real service on Kestrel (127.0.0.1, a random port) whose spans go through Traceline's stdout exporter into a log
/// of its own, as its console would be redirected to a file; or, untraced, a plain app (a proxy) with no log.
/// </summary>
internal sealed class LoggedService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StringWriter? _log;
    private StreamWriter? _file;
    private bool _stopped;

    private LoggedService(string name, WebApplication app, StringWriter? log, Uri address)
    {
        Name = name;
        _app = app;
        _log = log;
        Address = address;
    }

    public string Name { get; }

    public Uri Address { get; }

    public static async Task<LoggedService> StartAsync(
        string name,
        Action<WebApplication> map,
        Action<IServiceCollection>? services = null,
        Action<TracingMiddlewareOptions>? middleware = null,
        StdoutFormat format = StdoutFormat.Compact,
        bool traced = true,
        string? logFile = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        StringWriter? log = null;
        StreamWriter? fileWriter = null;
        if (traced)
        {
            log = new StringWriter();
            var writer = TextWriter.Synchronized(log);
            if (logFile is not null)
            {
                // As `service > service.log`: spans reach the file as they are exported, a batch every 100 ms.
                var file = new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                fileWriter = new StreamWriter(file) { AutoFlush = true };
                writer = TextWriter.Synchronized(fileWriter);
                builder.Configuration["Tracing:Batch:ScheduledDelayMilliseconds"] = "100";
            }

            builder.Services.AddTracing(t => t.WithServiceName(name).UseStdoutExporter(o => (o.Format, o.Writer) = (format, writer)), static _ => null);
        }

        services?.Invoke(builder.Services);
        var app = builder.Build();
        if (traced)
        {
            app.UseTracing(middleware);
        }

        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoggedService(name, app, log, new Uri(address)) { _file = fileWriter };
    }

    /// <summary>A client that sends no trace headers of its own: the runtime's propagator is turned off.</summary>
    public static HttpClient UntracedClient(Uri? baseAddress = null, HttpMessageHandler? handler = null) =>
        new(handler ?? UntracedHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public static SocketsHttpHandler UntracedHandler() =>
        new() { ActivityHeadersPropagator = System.Diagnostics.DistributedContextPropagator.CreateNoOutputPropagator() };

    /// <summary>Stops the service (which flushes its spans to the log) and writes the log to <paramref name="directory"/>.</summary>
    public async Task<string> StopAndSaveLogAsync(string directory)
    {
        await StopAsync();
        var path = Path.Combine(directory, Name + ".log");
        await File.WriteAllTextAsync(path, _log?.ToString() ?? string.Empty);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }

    private async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }
}
