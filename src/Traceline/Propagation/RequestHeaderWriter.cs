namespace Traceline.Propagation;

/// <summary>
/// Writes a span's context into an outgoing request's headers, through the provider's propagator. Every field the
/// propagator owns is rewritten on each send, so nothing stale from an earlier send, or of another origin, stays
/// beside this span's <c>traceparent</c>.
/// </summary>
internal sealed class RequestHeaderWriter
{
    // How many headers were written on this thread under a name of MarkedNames; compared around a synchronous Inject.
    [ThreadStatic]
    private static int t_marksWritten;

    private readonly TextMapPropagator _propagator;
    private readonly BuiltInPropagation? _builtIn;
    private readonly string[] _fields;
    private readonly string[]? _markedNames;
    private readonly Action<HttpRequestMessage, string, string> _setHeader;

    /// <param name="propagator">The provider's propagator.</param>
    /// <param name="fields">The propagator's fields.</param>
    /// <param name="markedNames">
    /// Instances of the field names (same text, same order) to name the headers with, so a later send can tell they
    /// were written here; <see langword="null"/> to name them as the propagator does.
    /// </param>
    public RequestHeaderWriter(TextMapPropagator propagator, string[] fields, string[]? markedNames)
    {
        _propagator = propagator;
        _builtIn = BuiltInPropagation.Of(propagator);
        _fields = fields;
        _markedNames = markedNames;
        _setHeader = SetHeader;
    }

    /// <summary>
    /// Replaces the propagator's fields with those of <paramref name="context"/> and the current baggage; returns
    /// whether any was written under a marked name. May throw what a user's propagator throws.
    /// </summary>
    public bool Write(HttpRequestMessage request, in SpanContext context)
    {
        var headers = request.Headers;
        if (headers.NonValidated.Count > 0)
        {
            foreach (var field in _fields)
            {
                headers.Remove(field);
            }
        }

        // Perf: the setter counts the marked names it writes on this thread (Inject is synchronous), so the headers
        // need not be searched again to learn whether one was written.
        var marksBefore = t_marksWritten;
        if (_builtIn is { } builtIn)
        {
            WriteBuiltIn(builtIn, context, request);
        }
        else
        {
            _propagator.Inject(new PropagationContext(context, Baggage.Current), request, _setHeader);
        }

        return t_marksWritten != marksBefore; // inequality, not order: safe when the count wraps
    }

    /// <summary>
    /// Writes what the built-in propagators would, directly. Perf: the propagator's generic virtual Inject costs a
    /// runtime lookup per call (three with the default composite); see <see cref="BuiltInPropagation"/>.
    /// </summary>
    private void WriteBuiltIn(BuiltInPropagation builtIn, in SpanContext context, HttpRequestMessage request)
    {
        if (builtIn.TraceContext && context.IsValid)
        {
            SetHeader(request, TraceContextPropagator.TraceParentHeader, TraceParentFormat.Format(context));
            if (TraceContextPropagator.TraceStateValue(context) is { } traceState)
            {
                SetHeader(request, TraceContextPropagator.TraceStateHeader, traceState);
            }
        }

        if (builtIn.Baggage && BaggagePropagator.HeaderValue(Baggage.Current) is { } baggage)
        {
            SetHeader(request, BaggagePropagator.BaggageHeader, baggage);
        }
    }

    /// <summary>The propagator's setter: replaces the field, naming it with its marked instance.</summary>
    private void SetHeader(HttpRequestMessage request, string name, string value)
    {
        var headers = request.Headers;
        if (headers.NonValidated.Count > 0)
        {
            headers.Remove(name); // Perf: an empty collection (the first field of most requests) has nothing to replace
        }

        var marked = MarkedName(name);
        if (headers.TryAddWithoutValidation(marked, value) && !ReferenceEquals(marked, name))
        {
            t_marksWritten = unchecked(t_marksWritten + 1);
        }
    }

    private string MarkedName(string name)
    {
        if (_markedNames is { } marked)
        {
            var fields = _fields;
            for (var i = 0; i < fields.Length; i++)
            {
                if (string.Equals(fields[i], name, StringComparison.OrdinalIgnoreCase))
                {
                    return marked[i];
                }
            }
        }

        return name;
    }
}
