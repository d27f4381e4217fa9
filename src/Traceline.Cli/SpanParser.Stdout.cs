using System.Text.Json;

namespace Traceline.Cli;

/// <summary>
/// The stdout layout of Traceline and Go's <c>stdouttrace</c>: <c>Name</c>, <c>SpanContext</c>, <c>Parent</c>,
/// <c>SpanKind</c> (Go's numbers), RFC 3339 <c>StartTime</c>/<c>EndTime</c>, <c>Attributes</c>, <c>Events</c>,
/// <c>Links</c>, <c>Status</c>, <c>Resource</c>; Go writes <c>null</c> for an empty list.
/// </summary>
internal sealed partial class SpanParser
{
    private void ReadStdoutSpan(ref Utf8JsonReader reader, ref SpanFields span)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Name"u8))
            {
                reader.Read();
                span.Name = ReadName(ref reader);
            }
            else if (reader.ValueTextEquals("SpanContext"u8))
            {
                reader.Read();
                ReadStdoutContext(ref reader, out span.TraceHex, out span.SpanHex, out _);
                span.HasContext = true;
            }
            else if (reader.ValueTextEquals("Parent"u8))
            {
                reader.Read();
                ReadStdoutContext(ref reader, out _, out span.ParentHex, out span.ParentIsRemote);
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
                span.HasStart = true;
            }
            else if (reader.ValueTextEquals("EndTime"u8))
            {
                reader.Read();
                span.End = ParseTime(ref reader, "EndTime");
                span.HasEnd = true;
            }
            else if (reader.ValueTextEquals("Attributes"u8))
            {
                reader.Read();
                ReadAttributes(ref reader, ref span, resource: false, Names.Stdout);
            }
            else if (reader.ValueTextEquals("Resource"u8))
            {
                reader.Read();
                ReadAttributes(ref reader, ref span, resource: true, Names.Stdout);
            }
            else if (reader.ValueTextEquals("Events"u8))
            {
                reader.Read();
                ReadEvents(ref reader, ref span, Names.Stdout);
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

    private void ReadStdoutContext(ref Utf8JsonReader reader, out HexId traceId, out HexId spanId, out bool remote)
    {
        traceId = spanId = default;
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
                traceId = HexId.Read(ref reader, _strings);
            }
            else if (reader.ValueTextEquals("SpanID"u8))
            {
                reader.Read();
                spanId = HexId.Read(ref reader, _strings);
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
    }

    private void ReadStdoutLinks(ref Utf8JsonReader reader, ref SpanFields span)
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
                if (context && !span.LinkTraceHex.IsPresent)
                {
                    ReadStdoutContext(ref reader, out span.LinkTraceHex, out span.LinkSpanHex, out _);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private static void ReadStdoutStatus(ref Utf8JsonReader reader, ref SpanFields span)
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

    /// <summary>Parses RFC 3339 with up to nine fraction digits (Go writes nanoseconds, .NET parses seven).</summary>
    private static long ParseTime(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !Rfc3339.TryParseUnixNanos(reader.ValueSpan, out var nanos))
        {
            throw new FormatException($"{what} is not an RFC 3339 time");
        }

        return nanos;
    }
}
