// Traceline without a web host and without dependency injection: a provider from TracerProvider.Create, nested
// spans, and a plain HttpClient whose TracingHandler sends the trace along. The "server" is a few lines of TcpListener
// on 127.0.0.1 (a free port) that answers with the traceparent header it received, so the output shows the trace
// crossing the wire.
using System.Net;
using System.Net.Sockets;
using System.Text;
using Traceline;
using Traceline.Http;

// One provider for the life of the program; disposing it at the end exports every span that ended.
using var provider = TracerProvider.Create(t => t.WithServiceName("console-app").UseStdoutExporter());
var tracer = provider.GetTracer("ConsoleApp");

using var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
var port = ((IPEndPoint)listener.LocalEndpoint).Port;
using var stop = new CancellationTokenSource();
var server = EchoTraceParentAsync(listener, stop.Token);

using var http = new HttpClient(new TracingHandler(provider) { InnerHandler = new SocketsHttpHandler() })
{
    BaseAddress = new Uri($"http://127.0.0.1:{port}"),
};
http.DefaultRequestHeaders.UserAgent.ParseAdd("console-app/1.0");

using (var job = tracer.StartSpan("nightly-job"))
{
    job.SetAttribute("job.items", 2);
    for (var item = 1; item <= 2; item++)
    {
        // Nested: child of nightly-job; the HTTP client span below is its child in turn.
        using var span = tracer.StartSpan("process-item");
        span.SetAttribute("item.index", item);
        var seen = await http.GetStringAsync(new Uri($"/items/{item}", UriKind.Relative));
        span.AddEvent("item.fetched", new SpanAttribute("server.saw", seen));
        Console.WriteLine($"item {item}: the server saw traceparent {seen}");
    }

    Console.WriteLine($"trace {job.Context.TraceId}: nightly-job > process-item > GET, twice");
}

await stop.CancelAsync();
await server;
return 0;

// Answers each HTTP/1.1 request with the value of its traceparent header, and closes the connection.
static async Task EchoTraceParentAsync(TcpListener listener, CancellationToken cancellationToken)
{
    while (!cancellationToken.IsCancellationRequested)
    {
        TcpClient connection;
        try
        {
            connection = await listener.AcceptTcpClientAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using (connection)
        {
            var stream = connection.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var traceParent = "(none)";
            while (await reader.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
            {
                if (line.StartsWith("traceparent:", StringComparison.OrdinalIgnoreCase))
                {
                    traceParent = line["traceparent:".Length..].Trim();
                }
            }

            var body = Encoding.ASCII.GetBytes(traceParent);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head, cancellationToken);
            await stream.WriteAsync(body, cancellationToken);
        }
    }
}
