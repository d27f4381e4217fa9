using System.Globalization;
using System.Text.Json;
using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>
/// Reads spans out of one JSON object: a span in Traceline's stdout layout (pretty or compact), which is Go's
/// <c>stdouttrace</c> layout (<c>Name</c>, <c>SpanContext</c>, <c>Parent</c>, <c>SpanKind</c>, RFC 3339 times,
/// <c>Attributes</c>, <c>Status</c>, <c>Resource</c>), or an OTLP/JSON export (<c>resourceSpans</c> / <c>scopeSpans</c>
/// / <c>spans</c>, hex ids, unix nanoseconds as strings).
/// </summary>
/// <remarks>Only what a trace tree needs is kept: ids, name, kind, service, times, status, errors, the first link.</remarks>
internal sealed class SpanParser
{
    // OTLP span flags: bit 8 says whether bit 9 (the parent is remote) is known.
    private const uint HasIsRemote = 0x100;
    private const uint IsRemote = 0x200;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip };

    private readonly StringPool _strings = new();
    private readonly List<Fields> _pending = [];

    /// <summary>Parses one object; spans go to <paramref name="add"/>, problems (one a bad span) to <paramref name="problem"/>.</summary>
    /// <returns>How many spans were read.</returns>
    public int Parse(ReadOnlySpan<byte> json, Action<TraceSpan> add, Action<string> problem)
    {
        var reader = new Utf8JsonReader(json, Options);
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

            var fields = default(Fields);
            ReadStdoutSpan(ref reader, ref fields);
            if (fields.Missing() is { } missing)
            {
                problem(missing);
                return 0;
            }

            add(fields.ToSpan(_strings));
            return 1;
        }
        catch (JsonException ex)
        {
            problem("invalid JSON: " + FirstSentence(ex.Message));
            return 0;
        }
        catch (InvalidOperationException ex)
        {
            problem("unexpected value: " + FirstSentence(ex.Message));
            return 0;
        }
        catch (FormatException ex)
        {
            problem(ex.Message);
            return 0;
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }

    private void ReadStdoutSpan(ref Utf8JsonReader reader, ref Fields span)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Name"u8))
            {
                reader.Read();
                span.Name = reader.TokenType != JsonTokenType.String ? null : !reader.ValueIsEscaped ? Utf8(ref reader) : _strings.Get(reader.GetString().AsSpan());
            }
            else if (reader.ValueTextEquals("SpanContext"u8))
            {
                reader.Read();
                ReadStdoutContext(ref reader, "SpanContext", out span.TraceIdText, out span.SpanIdText, out _);
                span.HasContext = true;
            }
            else if (reader.ValueTextEquals("Parent"u8))
            {
                reader.Read();
                ReadStdoutContext(ref reader, "Parent", out _, out span.ParentIdText, out span.ParentIsRemote);
            }
            else if (reader.ValueTextEquals("SpanKind"u8))
            {
                reader.Read();
                span.Kind = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var kind) ? KindFromNumber(kind) : SpanKind.Internal;
            }
            else if (reader.ValueTextEquals("StartTime"u8))
            {
                reader.Read();
                span.Start = ParseTime(ref reader, "StartTime");
            }
            else if (reader.ValueTextEquals("EndTime"u8))
            {
                reader.Read();
                span.End = ParseTime(ref reader, "EndTime");
            }
            else if (reader.ValueTextEquals("Attributes"u8))
            {
                reader.Read();
                ReadStdoutAttributes(ref reader, ref span, resource: false);
            }
            else if (reader.ValueTextEquals("Resource"u8))
            {
                reader.Read();
                ReadStdoutAttributes(ref reader, ref span, resource: true);
            }
            else if (reader.ValueTextEquals("Events"u8))
            {
                reader.Read();
                ReadStdoutEvents(ref reader, ref span);
            }
            else if (reader.ValueTextEquals("Links"u8))
            {
                reader.Read();
                ReadStdoutLinks(ref reader, ref span);
            }
            else if (reader.ValueTextEquals("Status"u8))
            {
                reader.Read();
                ReadStdoutStatus(ref reader, ref span);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private string Utf8(ref Utf8JsonReader reader) => _strings.Get(reader.ValueSpan);
    private static void ReadStdoutContext(ref Utf8JsonReader reader, string what, out string? traceId, out string? spanId, out bool remote)
    {
        traceId = spanId = null;
        remote = false;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("TraceID"u8))
            {
                reader.Read();
                traceId = reader.GetString();
            }
            else if (reader.ValueTextEquals("SpanID"u8))
            {
                reader.Read();
                spanId = reader.GetString();
            }
            else if (reader.ValueTextEquals("Remote"u8))
            {
                reader.Read();
                remote = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        _ = what;
    }

    private void ReadStdoutAttributes(ref Utf8JsonReader reader, ref Fields span, bool resource)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var key = Key.Other;
            string? value = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Key"u8))
                {
                    reader.Read();
                    key = KeyOf(ref reader);
                }
                else if (reader.ValueTextEquals("Value"u8) && key != Key.Other)
                {
                    reader.Read();
                    value = ReadStdoutValue(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            Apply(ref span, key, value, resource);
        }
    }

    private string? ReadStdoutValue(ref Utf8JsonReader reader)
    {
        string? value = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isValue = reader.ValueTextEquals("Value"u8);
            reader.Read();
            if (isValue && reader.TokenType == JsonTokenType.String)
            {
                value = _strings.Get(reader.GetString().AsSpan());
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    private void ReadStdoutEvents(ref Utf8JsonReader reader, ref Fields span)
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
                var attributes = reader.ValueTextEquals("Attributes"u8);
                reader.Read();
                if (attributes)
                {
                    ReadStdoutAttributes(ref reader, ref span, resource: false);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private static void ReadStdoutLinks(ref Utf8JsonReader reader, ref Fields span)
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
                var context = reader.ValueTextEquals("SpanContext"u8);
                reader.Read();
                if (context && span.LinkTraceIdText is null)
                {
                    ReadStdoutContext(ref reader, "Links.SpanContext", out span.LinkTraceIdText, out span.LinkSpanIdText, out _);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private static void ReadStdoutStatus(ref Utf8JsonReader reader, ref Fields span)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Code"u8))
            {
                reader.Read();
                span.Status = reader.TokenType switch
                {
                    JsonTokenType.String when reader.ValueTextEquals("Error"u8) => SpanStatusCode.Error,
                    JsonTokenType.String when reader.ValueTextEquals("Ok"u8) => SpanStatusCode.Ok,
                    JsonTokenType.Number when reader.TryGetInt32(out var code) => code == 1 ? SpanStatusCode.Error : code == 2 ? SpanStatusCode.Ok : SpanStatusCode.Unset, // Go's codes: 1 Error, 2 Ok
                    _ => SpanStatusCode.Unset,
                };
            }
            else if (reader.ValueTextEquals("Description"u8))
            {
                reader.Read();
                var description = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                span.StatusDescription = string.IsNullOrEmpty(description) ? null : description;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private int ParseOtlp(ref Utf8JsonReader reader, Action<TraceSpan> add, Action<string> problem)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isResourceSpans = reader.ValueTextEquals("resourceSpans"u8) || reader.ValueTextEquals("resource_spans"u8);
            reader.Read();
            if (!isResourceSpans || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                // The resource may come after its spans: hold them until the entry ends.
                _pending.Clear();
                var resource = default(Fields);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("resource"u8))
                    {
                        reader.Read();
                        ReadOtlpAttributesOf(ref reader, ref resource, resource: true);
                    }
                    else if (reader.ValueTextEquals("scopeSpans"u8) || reader.ValueTextEquals("scope_spans"u8))
                    {
                        reader.Read();
                        ReadOtlpScopeSpans(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                foreach (var fields in _pending)
                {
                    var span = fields;
                    span.Service = resource.Service;
                    if (span.Missing() is { } missing)
                    {
                        problem(missing);
                        continue;
                    }

                    add(span.ToSpan(_strings));
                    count++;
                }
            }
        }

        return count;
    }

    private void ReadOtlpScopeSpans(ref Utf8JsonReader reader)
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
                var spans = reader.ValueTextEquals("spans"u8);
                reader.Read();
                if (!spans || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    var span = default(Fields);
                    ReadOtlpSpan(ref reader, ref span);
                    _pending.Add(span);
                }
            }
        }
    }

    private void ReadOtlpSpan(ref Utf8JsonReader reader, ref Fields span)
    {
        span.HasContext = true;
        uint flags = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("trace_id"u8))
            {
                reader.Read();
                span.TraceIdText = reader.GetString();
            }
            else if (reader.ValueTextEquals("spanId"u8) || reader.ValueTextEquals("span_id"u8))
            {
                reader.Read();
                span.SpanIdText = reader.GetString();
            }
            else if (reader.ValueTextEquals("parentSpanId"u8) || reader.ValueTextEquals("parent_span_id"u8))
            {
                reader.Read();
                span.ParentIdText = reader.GetString();
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                span.Name = _strings.Get(reader.GetString().AsSpan());
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                span.Kind = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var kind) ? KindFromNumber(kind) : KindFromOtlpName(reader.GetString());
            }
            else if (reader.ValueTextEquals("flags"u8))
            {
                reader.Read();
                flags = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var f) ? f : 0;
            }
            else if (reader.ValueTextEquals("startTimeUnixNano"u8) || reader.ValueTextEquals("start_time_unix_nano"u8))
            {
                reader.Read();
                span.Start = ReadNanos(ref reader, "startTimeUnixNano");
            }
            else if (reader.ValueTextEquals("endTimeUnixNano"u8) || reader.ValueTextEquals("end_time_unix_nano"u8))
            {
                reader.Read();
                span.End = ReadNanos(ref reader, "endTimeUnixNano");
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                reader.Read();
                ReadOtlpAttributes(ref reader, ref span, resource: false);
            }
            else if (reader.ValueTextEquals("events"u8))
            {
                reader.Read();
                ReadOtlpEvents(ref reader, ref span);
            }
            else if (reader.ValueTextEquals("links"u8))
            {
                reader.Read();
                ReadOtlpLinks(ref reader, ref span);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                ReadOtlpStatus(ref reader, ref span);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        span.ParentIsRemote = (flags & HasIsRemote) != 0 ? (flags & IsRemote) != 0 : span.Kind is SpanKind.Server or SpanKind.Consumer;
    }

    private void ReadOtlpAttributesOf(ref Utf8JsonReader reader, ref Fields span, bool resource)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var attributes = reader.ValueTextEquals("attributes"u8);
            reader.Read();
            if (attributes)
            {
                ReadOtlpAttributes(ref reader, ref span, resource);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadOtlpAttributes(ref Utf8JsonReader reader, ref Fields span, bool resource)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var key = Key.Other;
            string? value = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("key"u8))
                {
                    reader.Read();
                    key = KeyOf(ref reader);
                }
                else if (reader.ValueTextEquals("value"u8) && key != Key.Other)
                {
                    reader.Read();
                    value = ReadOtlpStringValue(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            Apply(ref span, key, value, resource);
        }
    }

    private string? ReadOtlpStringValue(ref Utf8JsonReader reader)
    {
        string? value = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isString = reader.ValueTextEquals("stringValue"u8);
            reader.Read();
            if (isString && reader.TokenType == JsonTokenType.String)
            {
                value = _strings.Get(reader.GetString().AsSpan());
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    private void ReadOtlpEvents(ref Utf8JsonReader reader, ref Fields span)
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
                var attributes = reader.ValueTextEquals("attributes"u8);
                reader.Read();
                if (attributes)
                {
                    ReadOtlpAttributes(ref reader, ref span, resource: false);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private static void ReadOtlpLinks(ref Utf8JsonReader reader, ref Fields span)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? traceId = null, spanId = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("traceId"u8))
                {
                    reader.Read();
                    traceId = reader.GetString();
                }
                else if (reader.ValueTextEquals("spanId"u8))
                {
                    reader.Read();
                    spanId = reader.GetString();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (span.LinkTraceIdText is null)
            {
                span.LinkTraceIdText = traceId;
                span.LinkSpanIdText = spanId;
            }
        }
    }

    private static void ReadOtlpStatus(ref Utf8JsonReader reader, ref Fields span)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                span.Status = reader.TokenType switch
                {
                    JsonTokenType.Number when reader.TryGetInt32(out var code) => code == 2 ? SpanStatusCode.Error : code == 1 ? SpanStatusCode.Ok : SpanStatusCode.Unset,
                    JsonTokenType.String when reader.ValueTextEquals("STATUS_CODE_ERROR"u8) => SpanStatusCode.Error,
                    JsonTokenType.String when reader.ValueTextEquals("STATUS_CODE_OK"u8) => SpanStatusCode.Ok,
                    _ => SpanStatusCode.Unset,
                };
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                var message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                span.StatusDescription = string.IsNullOrEmpty(message) ? null : message;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static Key KeyOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("service.name"u8) ? Key.ServiceName
        : reader.ValueTextEquals("error.type"u8) ? Key.ErrorType
        : reader.ValueTextEquals("exception.type"u8) ? Key.ExceptionType
        : Key.Other;

    private static void Apply(ref Fields span, Key key, string? value, bool resource)
    {
        switch (key)
        {
            case Key.ServiceName when resource:
                span.Service = value;
                break;
            case Key.ErrorType when !resource:
                span.ErrorType = value;
                break;
            case Key.ExceptionType when !resource:
                span.ErrorType ??= value;
                break;
        }
    }

    private static SpanKind KindFromNumber(int kind) => kind switch
    {
        2 => SpanKind.Server,
        3 => SpanKind.Client,
        4 => SpanKind.Producer,
        5 => SpanKind.Consumer,
        _ => SpanKind.Internal,
    };

    private static SpanKind KindFromOtlpName(string? kind) => kind switch
    {
        "SPAN_KIND_SERVER" => SpanKind.Server,
        "SPAN_KIND_CLIENT" => SpanKind.Client,
        "SPAN_KIND_PRODUCER" => SpanKind.Producer,
        "SPAN_KIND_CONSUMER" => SpanKind.Consumer,
        _ => SpanKind.Internal,
    };

    private static long ReadNanos(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var nanos))
        {
            return nanos;
        }

        throw new FormatException($"{what} is not unix nanoseconds");
    }

    /// <summary>Parses RFC 3339 with up to nine fraction digits (Go writes nanoseconds, .NET parses seven).</summary>
    private static long ParseTime(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !Rfc3339.TryParseUnixNanos(reader.ValueSpan, out var nanos))
        {
            throw new FormatException($"{what} is not an RFC 3339 time");
        }

        return nanos;
    }

    private enum Key
    {
        Other,
        ServiceName,
        ErrorType,
        ExceptionType,
    }

    /// <summary>A span as read, before its ids are checked.</summary>
    private struct Fields
    {
        public string? Name;
        public string? TraceIdText;
        public string? SpanIdText;
        public string? ParentIdText;
        public bool ParentIsRemote;
        public bool HasContext;
        public SpanKind Kind;
        public long Start;
        public long End;
        public string? Service;
        public SpanStatusCode Status;
        public string? StatusDescription;
        public string? ErrorType;
        public string? LinkTraceIdText;
        public string? LinkSpanIdText;

        public readonly string? Missing()
        {
            if (!HasContext)
            {
                return "not a span: no SpanContext (or traceId) in this object";
            }

            if (!TraceId.TryParse(TraceIdText, out var traceId) || !traceId.IsValid)
            {
                return $"bad trace id '{Shorten(TraceIdText)}': expected 32 lowercase hex digits, not all zero";
            }

            if (!SpanId.TryParse(SpanIdText, out var spanId) || !spanId.IsValid)
            {
                return $"bad span id '{Shorten(SpanIdText)}' in trace {TraceIdText}: expected 16 hex digits, not all zero";
            }

            if (!string.IsNullOrEmpty(ParentIdText) && !SpanId.TryParse(ParentIdText, out _) && ParentIdText.AsSpan().IndexOfAnyExcept('0') >= 0)
            {
                return $"bad parent span id '{Shorten(ParentIdText)}' of span {SpanIdText}: expected 16 hex digits";
            }

            return Name is null ? $"span {SpanIdText} has no name" : null;
        }

        public readonly TraceSpan ToSpan(StringPool strings)
        {
            // Missing() has checked the ids; an all-zero parent id parses to "no parent".
            var traceId = TraceId.Parse(TraceIdText);
            var spanId = SpanId.Parse(SpanIdText);
            var parentId = SpanId.TryParse(ParentIdText, out var parsed) ? parsed : default;

            var link = default(SpanContext);
            if (TraceId.TryParse(LinkTraceIdText, out var linkTrace) && SpanId.TryParse(LinkSpanIdText, out var linkSpan))
            {
                link = new SpanContext(linkTrace, linkSpan, TraceFlags.None);
            }

            return new TraceSpan
            {
                TraceId = traceId,
                SpanId = spanId,
                ParentSpanId = parentId,
                ParentIsRemote = ParentIsRemote,
                Name = Name!,
                Kind = Kind,
                Service = Service ?? strings.Get("(unknown service)".AsSpan()),
                StartUnixNanos = Start,
                EndUnixNanos = End,
                Status = Status,
                StatusDescription = StatusDescription,
                ErrorType = ErrorType,
                Link = link,
            };
        }

        private static string Shorten(string? text) => text is null ? "(none)" : text.Length > 40 ? text[..40] + "…" : text;
    }
}
