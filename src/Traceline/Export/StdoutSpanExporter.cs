using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Traceline.Internal.Tree;

namespace Traceline.Export;

/// <summary>
/// Writes each span as a JSON object to stdout (or any writer), in the layout that Go's <c>stdouttrace</c> made
/// familiar: <c>Name</c>, <c>SpanContext</c>, <c>Parent</c>, <c>SpanKind</c>, <c>StartTime</c>, <c>EndTime</c>,
/// <c>Attributes</c>, <c>Events</c>, <c>Links</c>, <c>Status</c>, dropped counts, <c>Resource</c> and
/// <c>InstrumentationScope</c>.
/// </summary>
/// <remarks>
/// Written with <see cref="Utf8JsonWriter"/> into a reused buffer: no reflection. <c>SpanKind</c> is the number Go uses
/// (1 internal, 2 server, 3 client, 4 producer, 5 consumer); times are RFC 3339 in UTC with nanoseconds.
/// </remarks>
public sealed class StdoutSpanExporter : SpanExporter
{
    private static readonly JsonWriterOptions PrettyOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions CompactOptions = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TextWriter? _writer;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly bool _pretty;
    private readonly TreeLayout? _tree;

    /// <summary>Creates a stdout exporter.</summary>
    /// <param name="options">Layout and target; <see langword="null"/> for pretty JSON to <see cref="Console.Out"/>.</param>
    public StdoutSpanExporter(StdoutExporterOptions? options = null)
        : this(options, TimeProvider.System)
    {
    }

    /// <summary>Creates a stdout exporter whose tree layout times out waiting traces by <paramref name="time"/>.</summary>
    internal StdoutSpanExporter(StdoutExporterOptions? options, TimeProvider time, bool? color = null)
    {
        options ??= new StdoutExporterOptions();
        _writer = options.Writer;
        _pretty = options.Format == StdoutFormat.Pretty;
        _json = new Utf8JsonWriter(_buffer, _pretty ? PrettyOptions : CompactOptions);
        if (options.Format == StdoutFormat.Tree)
        {
            _tree = new TreeLayout(_writer, color ?? UseColor(_writer), time);
        }
    }

    /// <summary>Gets the tree layout's state, or <see langword="null"/> for the JSON layouts.</summary>
    internal TreeLayout? Tree => _tree;

    /// <inheritdoc/>
    /// <remarks>Each batch is encoded before the first <c>await</c>; nothing refers to a span after that.</remarks>
    public override bool ReleasesSpansAfterExport => true;

    /// <inheritdoc/>
    public override async ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        if (_tree is not null)
        {
            _tree.Add(batch.Span);
            return ExportResult.Success;
        }

        var writer = _writer ?? Console.Out;
        var text = Render(batch.Span);
        await writer.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExportResult.Success;
    }

    /// <inheritdoc/>
    /// <remarks>The tree layout prints the traces still waiting for their root, marked incomplete.</remarks>
    public override ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        _tree?.Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>Colour only for a person: stdout on a terminal, and <c>NO_COLOR</c> unset (https://no-color.org).</summary>
    internal static bool UseColor(TextWriter? writer) =>
        writer is null && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Renders a batch as text: one JSON object per span, each followed by a newline.</summary>
    internal string Render(ReadOnlySpan<Span> batch)
    {
        var output = new StringBuilder();
        foreach (var span in batch)
        {
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            WriteSpan(_json, span);
            _json.Flush();
            output.Append(Encoding.UTF8.GetString(_buffer.WrittenSpan)).Append('\n');
        }

        return output.ToString();
    }

    private static void WriteSpan(Utf8JsonWriter json, Span span)
    {
        json.WriteStartObject();
        json.WriteString("Name", span.Name);
        json.WritePropertyName("SpanContext");
        WriteContext(json, span.Context);
        json.WritePropertyName("Parent");
        WriteContext(json, span.Parent);
        json.WriteNumber("SpanKind", (int)span.Kind + 1);
        WriteTime(json, "StartTime", span.StartUnixNanos);
        WriteTime(json, "EndTime", span.EndUnixNanos);
        json.WritePropertyName("Attributes");
        WriteAttributes(json, span.Attributes);

        json.WriteStartArray("Events");
        foreach (var spanEvent in span.Events)
        {
            json.WriteStartObject();
            json.WriteString("Name", spanEvent.Name);
            json.WritePropertyName("Attributes");
            WriteAttributes(json, spanEvent.Attributes);
            json.WriteNumber("DroppedAttributeCount", spanEvent.DroppedAttributeCount);
            WriteTime(json, "Time", spanEvent.TimeUnixNanos);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("Links");
        foreach (var link in span.Links)
        {
            json.WriteStartObject();
            json.WritePropertyName("SpanContext");
            WriteContext(json, link.Context);
            json.WritePropertyName("Attributes");
            WriteAttributes(json, link.Attributes);
            json.WriteNumber("DroppedAttributeCount", link.DroppedAttributeCount);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartObject("Status");
        json.WriteString("Code", span.Status switch
        {
            SpanStatusCode.Ok => "Ok",
            SpanStatusCode.Error => "Error",
            _ => "Unset",
        });
        json.WriteString("Description", span.StatusDescription ?? string.Empty);
        json.WriteEndObject();

        json.WriteNumber("DroppedAttributes", span.DroppedAttributeCount);
        json.WriteNumber("DroppedEvents", span.DroppedEventCount);
        json.WriteNumber("DroppedLinks", span.DroppedLinkCount);

        json.WritePropertyName("Resource");
        WriteAttributes(json, span.Resource is { } resource ? resource.Attributes : default);

        json.WriteStartObject("InstrumentationScope");
        json.WriteString("Name", span.Scope?.Name ?? string.Empty);
        json.WriteString("Version", span.Scope?.Version ?? string.Empty);
        json.WriteString("SchemaURL", string.Empty);
        json.WriteEndObject();

        json.WriteEndObject();
    }

    private static void WriteContext(Utf8JsonWriter json, in SpanContext context)
    {
        Span<byte> hex = stackalloc byte[TraceId.HexLength];
        json.WriteStartObject();
        if (context.TraceId.TryFormat(hex, out var written) && context.TraceId.IsValid)
        {
            json.WriteString("TraceID"u8, hex[..written]);
        }
        else
        {
            json.WriteString("TraceID"u8, "00000000000000000000000000000000"u8);
        }

        if (context.SpanId.IsValid && context.SpanId.TryFormat(hex, out written))
        {
            json.WriteString("SpanID"u8, hex[..written]);
        }
        else
        {
            json.WriteString("SpanID"u8, "0000000000000000"u8);
        }

        Span<char> flags = stackalloc char[2];
        HexConverter.WriteLower((byte)context.TraceFlags, flags);
        json.WriteString("TraceFlags"u8, flags);
        json.WriteString("TraceState"u8, context.TraceState ?? string.Empty);
        json.WriteBoolean("Remote"u8, context.IsRemote);
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, long unixNanos)
    {
        Span<char> buffer = stackalloc char[40];
        var time = DateTime.UnixEpoch.AddTicks(unixNanos / 100);
        time.TryFormat(buffer, out var written, "yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
        var extra = (int)(unixNanos % 100);
        buffer[written++] = (char)('0' + (extra / 10));
        buffer[written++] = (char)('0' + (extra % 10));
        buffer[written++] = 'Z';
        json.WriteString(name, buffer[..written]);
    }

    private static void WriteAttributes(Utf8JsonWriter json, ReadOnlySpan<SpanAttribute> attributes)
    {
        json.WriteStartArray();
        foreach (var attribute in attributes)
        {
            json.WriteStartObject();
            json.WriteString("Key"u8, attribute.Key);
            json.WriteStartObject("Value"u8);
            var value = attribute.Value;
            switch (value.Type)
            {
                case AttributeValueType.String:
                    json.WriteString("Type"u8, "STRING"u8);
                    json.WriteString("Value"u8, value.StringValue);
                    break;
                case AttributeValueType.Bool:
                    json.WriteString("Type"u8, "BOOL"u8);
                    json.WriteBoolean("Value"u8, value.BoolValue);
                    break;
                case AttributeValueType.Long:
                    json.WriteString("Type"u8, "INT64"u8);
                    json.WriteNumber("Value"u8, value.LongValue);
                    break;
                case AttributeValueType.Double:
                    json.WriteString("Type"u8, "FLOAT64"u8);
                    WriteDouble(json, "Value", value.DoubleValue);
                    break;
                case AttributeValueType.StringArray:
                    json.WriteString("Type"u8, "STRINGSLICE"u8);
                    json.WriteStartArray("Value"u8);
                    foreach (var item in value.StringArrayValue)
                    {
                        json.WriteStringValue(item);
                    }

                    json.WriteEndArray();
                    break;
                case AttributeValueType.BoolArray:
                    json.WriteString("Type"u8, "BOOLSLICE"u8);
                    json.WriteStartArray("Value"u8);
                    foreach (var item in value.BoolArrayValue)
                    {
                        json.WriteBooleanValue(item);
                    }

                    json.WriteEndArray();
                    break;
                case AttributeValueType.LongArray:
                    json.WriteString("Type"u8, "INT64SLICE"u8);
                    json.WriteStartArray("Value"u8);
                    foreach (var item in value.LongArrayValue)
                    {
                        json.WriteNumberValue(item);
                    }

                    json.WriteEndArray();
                    break;
                case AttributeValueType.DoubleArray:
                    json.WriteString("Type"u8, "FLOAT64SLICE"u8);
                    json.WriteStartArray("Value"u8);
                    foreach (var item in value.DoubleArrayValue)
                    {
                        if (double.IsFinite(item))
                        {
                            json.WriteNumberValue(item);
                        }
                        else
                        {
                            json.WriteStringValue(item.ToString(CultureInfo.InvariantCulture));
                        }
                    }

                    json.WriteEndArray();
                    break;
                default:
                    json.WriteString("Type"u8, "EMPTY"u8);
                    json.WriteNull("Value"u8);
                    break;
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteDouble(Utf8JsonWriter json, string name, double value)
    {
        // JSON has no NaN or infinity: write them as strings rather than fail the whole batch.
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _json.Dispose();
            _tree?.Dispose();
        }

        base.Dispose(disposing);
    }
}
