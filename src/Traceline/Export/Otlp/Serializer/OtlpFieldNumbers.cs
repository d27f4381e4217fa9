namespace Traceline.Export;

/// <summary>
/// Field numbers of opentelemetry-proto (collector/trace/v1, trace/v1, resource/v1, common/v1), named
/// <c>Message_field_name</c> exactly as in the .proto files, so that each can be checked there by a search.
/// </summary>
internal static class OtlpFieldNumbers
{
    public const int ExportTraceServiceRequest_resource_spans = 1;

    public const int ExportTraceServiceResponse_partial_success = 1;
    public const int ExportTracePartialSuccess_rejected_spans = 1;
    public const int ExportTracePartialSuccess_error_message = 2;

    public const int ResourceSpans_resource = 1;
    public const int ResourceSpans_scope_spans = 2;
    public const int Resource_attributes = 1;

    public const int ScopeSpans_scope = 1;
    public const int ScopeSpans_spans = 2;
    public const int InstrumentationScope_name = 1;
    public const int InstrumentationScope_version = 2;

    public const int Span_trace_id = 1;
    public const int Span_span_id = 2;
    public const int Span_trace_state = 3;
    public const int Span_parent_span_id = 4;
    public const int Span_name = 5;
    public const int Span_kind = 6;
    public const int Span_start_time_unix_nano = 7;
    public const int Span_end_time_unix_nano = 8;
    public const int Span_attributes = 9;
    public const int Span_dropped_attributes_count = 10;
    public const int Span_events = 11;
    public const int Span_dropped_events_count = 12;
    public const int Span_links = 13;
    public const int Span_dropped_links_count = 14;
    public const int Span_status = 15;
    public const int Span_flags = 16;

    public const int Span_Event_time_unix_nano = 1;
    public const int Span_Event_name = 2;
    public const int Span_Event_attributes = 3;
    public const int Span_Event_dropped_attributes_count = 4;

    public const int Span_Link_trace_id = 1;
    public const int Span_Link_span_id = 2;
    public const int Span_Link_trace_state = 3;
    public const int Span_Link_attributes = 4;
    public const int Span_Link_dropped_attributes_count = 5;
    public const int Span_Link_flags = 6;

    public const int Status_message = 2;
    public const int Status_code = 3;

    public const int KeyValue_key = 1;
    public const int KeyValue_value = 2;
    public const int AnyValue_string_value = 1;
    public const int AnyValue_bool_value = 2;
    public const int AnyValue_int_value = 3;
    public const int AnyValue_double_value = 4;
    public const int AnyValue_array_value = 5;
    public const int ArrayValue_values = 1;

    /// <summary>SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK (enum SpanFlags): the flags say whether the parent (or link) is remote.</summary>
    public const uint SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 0x100;

    /// <summary>SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK (enum SpanFlags).</summary>
    public const uint SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 0x200;
}
