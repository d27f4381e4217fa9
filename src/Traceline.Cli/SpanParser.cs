using System.Text.Json;
using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>
/// Reads spans out of one JSON object: a span in Traceline's stdout layout (pretty or compact), which is Go's
/// <c>stdouttrace</c> layout (<see cref="ReadStdoutSpan"/>), or an OTLP/JSON export (<see cref="ParseOtlp"/>).
/// </summary>
/// <remarks>
/// Only what a trace tree needs is kept: ids, name, kind, service, times, status, errors, the first link. The two
/// layouts share the attribute and event shapes (<c>Key</c>/<c>Value</c> against <c>key</c>/<c>value</c>), read once
/// here with the layout's <see cref="Names"/>.
/// </remarks>
internal sealed partial class SpanParser
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    private readonly StringPool _strings = new();
    private readonly List<SpanFields> _pending = [];
    private ReadOnlyMemory<byte> _record; // the object being parsed
    private int _origin;                  // where the reader's data starts in it (it moves on a skip)

    /// <summary>Gets how many objects were no span at all (another JSON log record): skipped without a problem.</summary>
    public long OtherObjects { get; private set; }

    /// <summary>Parses one object; spans go to <paramref name="add"/>, problems (one a bad span) to <paramref name="problem"/>.</summary>
    /// <returns>How many spans were read.</returns>
    public int Parse(ReadOnlyMemory<byte> json, Action<TraceSpan> add, Action<string> problem)
    {
        _record = json;
        _origin = 0;
        var reader = new Utf8JsonReader(json.Span, Options);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problem("not a JSON object");
                return 0;
            }

            // Peek at the first property: OTLP/JSON starts with resourceSpans; a stdout span with Name or SpanContext.
            var peek = reader;
            peek.Read();
            if (peek.TokenType == JsonTokenType.PropertyName && (peek.ValueTextEquals("resourceSpans"u8) || peek.ValueTextEquals("resource_spans"u8)))
            {
                return ParseOtlp(ref reader, add, problem);
            }

            var fields = default(SpanFields);
            ReadStdoutSpan(ref reader, ref fields);
            return Accept(fields, add, problem);
        }
        catch (JsonException ex)
        {
            problem("invalid JSON: " + FirstSentence(ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            problem("unexpected value: " + FirstSentence(ex.Message));
        }
        catch (FormatException ex)
        {
            problem(ex.Message);
        }
        finally
        {
            _record = default;
        }

        return 0;
    }

    private int Accept(in SpanFields fields, Action<TraceSpan> add, Action<string> problem)
    {
        if (fields.IsOtherObject)
        {
            OtherObjects++;
            return 0;
        }

        if (fields.Problem() is { } message)
        {
            problem(message);
            return 0;
        }

        add(fields.ToSpan(_strings));
        return 1;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }

    /// <summary>Reads an array of attributes (<c>[{Key, Value: {…}}]</c>), keeping those <see cref="SpanFields.Apply"/> wants.</summary>
    private void ReadAttributes(ref Utf8JsonReader reader, ref SpanFields span, bool resource, Names names)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var key = AttributeKey.Other;
            string? value = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(names.Key))
                {
                    reader.Read();
                    key = KeyOf(ref reader);
                    if (key == AttributeKey.Other)
                    {
                        SkipRestOfContainer(ref reader); // its value is not needed
                    }
                }
                else if (reader.ValueTextEquals(names.Value) && key != AttributeKey.Other)
                {
                    reader.Read();
                    value = ReadStringValue(ref reader, names.StringValue);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            span.Apply(key, value, resource);
            if (resource && key == AttributeKey.ServiceName)
            {
                SkipRestOfContainer(ref reader); // the service is all a tree needs of a resource
            }
        }
    }

    /// <summary>
    /// Moves the reader, just after a value in an object or array, to the byte that closes that object or array (the
    /// next <c>Read</c> returns its end), without tokenizing what is between; the reader's state carries over.
    /// </summary>
    /// <remarks>Perf: most attributes are not needed; tokenizing them was most of the parse (ViewParseBenchmarks).</remarks>
    private void SkipRestOfContainer(ref Utf8JsonReader reader)
    {
        var json = _record.Span;
        var close = JsonScan.ContainerEnd(json, _origin + (int)reader.BytesConsumed);
        if (close >= 0)
        {
            _origin = close;
            reader = new Utf8JsonReader(json[close..], isFinalBlock: true, reader.CurrentState);
        }
    }

    /// <summary>Reads the string in an attribute's value object (<c>{"Type":"STRING","Value":"…"}</c> or <c>{"stringValue":"…"}</c>).</summary>
    private string? ReadStringValue(ref Utf8JsonReader reader, byte[] stringValue)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isString = reader.ValueTextEquals(stringValue);
            reader.Read();
            if (isString && reader.TokenType == JsonTokenType.String)
            {
                value = _strings.Get(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    /// <summary>Reads span events for the attributes of a recorded exception.</summary>
    private void ReadEvents(ref Utf8JsonReader reader, ref SpanFields span, Names names)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var attributes = reader.ValueTextEquals(names.Attributes);
                reader.Read();
                if (attributes)
                {
                    ReadAttributes(ref reader, ref span, resource: false, names);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private string ReadName(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? throw new FormatException("a span's name is not a string")
        : _strings.Get(ref reader);

    private static AttributeKey KeyOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("service.name"u8) ? AttributeKey.ServiceName
        : reader.ValueTextEquals("error.type"u8) ? AttributeKey.ErrorType
        : reader.ValueTextEquals("exception.type"u8) ? AttributeKey.ExceptionType
        : AttributeKey.Other;

    /// <summary>Go's and OTLP's numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.</summary>
    private static SpanKind KindFromNumber(int kind) => kind switch
    {
        2 => SpanKind.Server,
        3 => SpanKind.Client,
        4 => SpanKind.Producer,
        5 => SpanKind.Consumer,
        _ => SpanKind.Internal,
    };

    /// <summary>A layout's property names for the shapes both layouts share.</summary>
    private sealed class Names(string key, string value, string stringValue, string attributes)
    {
        public static readonly Names Stdout = new("Key", "Value", "Value", "Attributes");
        public static readonly Names Otlp = new("key", "value", "stringValue", "attributes");

        public byte[] Key { get; } = System.Text.Encoding.UTF8.GetBytes(key);

        public byte[] Value { get; } = System.Text.Encoding.UTF8.GetBytes(value);

        public byte[] StringValue { get; } = System.Text.Encoding.UTF8.GetBytes(stringValue);

        public byte[] Attributes { get; } = System.Text.Encoding.UTF8.GetBytes(attributes);
    }
}
