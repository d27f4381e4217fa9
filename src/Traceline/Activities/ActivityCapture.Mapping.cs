using System.Diagnostics;
using System.Globalization;

namespace Traceline;

// From a stopped Activity to its span's storage: times, tags, events, links and status copied within the span limits,
// tag values typed.
internal sealed partial class ActivityCapture
{
    /// <summary>
    /// Copies a stopped Activity into its span's storage: name and end time, and for a span made at the stop its kind,
    /// parent and start too (a span made at the start has those from then). Runs where the span is first read, once
    /// (see <see cref="Span.EndCaptured"/>), under the span's lock.
    /// </summary>
    internal static void Fill(SpanData data, Activity activity)
    {
        data.Name = activity.DisplayName; // the app may have renamed the Activity since its start
        if (data.StartUnixNanos == 0)
        {
            data.Kind = (byte)activity.Kind;
            data.ParentSpanId = ActivityIds.ToSpanId(activity.ParentSpanId);
            data.ParentFlags = (TraceFlags)(byte)(activity.Parent?.ActivityTraceFlags ?? activity.ActivityTraceFlags);
            data.ParentIsRemote = activity.HasRemoteParent;
            data.StartUnixNanos = ActivityIds.ToUnixNanos(activity.StartTimeUtc);
        }

        data.EndUnixNanos = Math.Max(ActivityIds.ToUnixNanos(activity.StartTimeUtc + activity.Duration), data.StartUnixNanos);
        Record(data, activity);
    }

    /// <summary>Copies what the Activity recorded (tags, events, links, status), within the span limits.</summary>
    private static void Record(SpanData data, Activity activity)
    {
        var limits = data.Tracer.Limits;

        // Perf: tags go in by the stack-full, not one list per span.
        var buffer = default(StartAttributeBuffer);
        Span<SpanAttribute> chunk = buffer;
        var count = 0;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            if (tag.Key is { } key)
            {
                chunk[count++] = new SpanAttribute(key, ToAttributeValue(tag.Value));
                if (count == chunk.Length)
                {
                    data.Attributes.SetAll(chunk, limits.AttributeCount, limits.AttributeValueLength);
                    count = 0;
                }
            }
        }

        data.Attributes.SetAll(chunk[..count], limits.AttributeCount, limits.AttributeValueLength);

        foreach (ref readonly var activityEvent in activity.EnumerateEvents())
        {
            if (activityEvent.Name is { } name)
            {
                data.AddEvent(SpanData.NewEvent(limits, name, UnixTime.FromDateTimeOffset(activityEvent.Timestamp), ToAttributes(activityEvent.EnumerateTagObjects())));
            }
        }

        foreach (ref readonly var link in activity.EnumerateLinks())
        {
            if (ActivityIds.TryToSpanContext(link.Context, out var context))
            {
                data.AddLink(new SpanLink(context, ToAttributes(link.EnumerateTagObjects())));
            }
        }

        switch (activity.Status)
        {
            case ActivityStatusCode.Ok:
                data.SetStatus(SpanStatusCode.Ok, null);
                break;
            case ActivityStatusCode.Error:
                data.SetStatus(SpanStatusCode.Error, activity.StatusDescription);
                break;
        }
    }

    private static SpanAttribute[] ToAttributes(IEnumerable<KeyValuePair<string, object?>> tags)
    {
        var list = new List<SpanAttribute>();
        foreach (var tag in tags)
        {
            if (tag.Key is not null)
            {
                list.Add(new SpanAttribute(tag.Key, ToAttributeValue(tag.Value)));
            }
        }

        return [.. list];
    }

    private static SpanAttribute[] ToAttributes(Activity.Enumerator<KeyValuePair<string, object?>> tags)
    {
        List<SpanAttribute>? list = null;
        foreach (ref readonly var tag in tags)
        {
            if (tag.Key is not null)
            {
                (list ??= []).Add(new SpanAttribute(tag.Key, ToAttributeValue(tag.Value)));
            }
        }

        return list is null ? [] : [.. list];
    }

    private static SpanLink[] ToLinks(IEnumerable<ActivityLink> links)
    {
        var list = new List<SpanLink>();
        foreach (var link in links)
        {
            if (ActivityIds.TryToSpanContext(link.Context, out var context))
            {
                list.Add(new SpanLink(context, ToAttributes(link.EnumerateTagObjects())));
            }
        }

        return [.. list];
    }

    /// <summary>An Activity tag as an attribute: the OpenTelemetry types as they are, anything else as its string.</summary>
    internal static AttributeValue ToAttributeValue(object? value) => value switch
    {
        null => default,
        string s => s,
        bool b => b,
        int i => (long)i,
        long l => l,
        short s16 => (long)s16,
        byte u8 => (long)u8,
        sbyte s8 => (long)s8,
        ushort u16 => (long)u16,
        uint u32 => (long)u32,
        double d => d,
        float f => (double)f,
        string[] strings => strings,
        bool[] bools => bools,
        long[] longs => longs,
        int[] ints => Array.ConvertAll(ints, static i => (long)i),
        double[] doubles => doubles,
        _ => Format(value),
    };

    /// <summary>A tag of another type as its string; a <c>ToString</c> that throws gives the type's name.</summary>
    private static string? Format(object value)
    {
        try
        {
            return value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString();
        }
        catch (Exception) // a tag's own code must not cost the span.
        {
            return value.GetType().FullName;
        }
    }

    private static object? ToTagValue(AttributeValue value) => value.Type switch
    {
        AttributeValueType.String => value.StringValue,
        AttributeValueType.Bool => value.BoolValue,
        AttributeValueType.Long => value.LongValue,
        AttributeValueType.Double => value.DoubleValue,
        AttributeValueType.StringArray => value.StringArrayValue.ToArray(),
        AttributeValueType.BoolArray => value.BoolArrayValue.ToArray(),
        AttributeValueType.LongArray => value.LongArrayValue.ToArray(),
        AttributeValueType.DoubleArray => value.DoubleArrayValue.ToArray(),
        _ => null,
    };
}
