namespace Traceline;

/// <summary>
/// Counts how many times a request message went through the handler before (<c>http.request.resend_count</c>).
/// </summary>
/// <remarks>
/// Perf: a message's first send touches no <see cref="HttpRequestMessage.Options"/> (240 B). HttpHeaders keeps the
/// name instance a header was added with, so the handler names its headers with instances of its own (same text,
/// never interned, see <see cref="MarkedNames"/>): a message that carries one was sent before, and only such a message
/// (a resend) is counted in Options. A header the caller set, or another handler wrote, is never taken for a resend.
/// When a send writes no marked header (the propagator had nothing to send, or the runtime keeps no instances), its
/// count goes to Options, and from then on Options is read on every send.
/// </remarks>
internal sealed class ResendCounter
{
    /// <summary>How many times the message was sent before; in Options on a resend only.</summary>
    public static readonly HttpRequestOptionsKey<int> Key = new("Traceline.Http.SendCount");

    // Perf: boxed counts for the common first resends, so storing the count does not box each time.
    private static readonly object[] BoxedCounts = [0, 1, 2, 3, 4, 5, 6, 7];

    private volatile bool _sentWithoutMarker;

    public ResendCounter(string[] fields) => MarkedNames = CreateMarkedNames(fields);

    /// <summary>Gets this counter's own instances of the field names, or <see langword="null"/> when the runtime does not keep them.</summary>
    public string[]? MarkedNames { get; }

    /// <summary>Returns how many times <paramref name="request"/> was sent before, counting this send.</summary>
    public int SendsBefore(HttpRequestMessage request)
    {
        if (HasMarkedHeader(request.Headers))
        {
            var count = request.Options.TryGetValue(Key, out var before) ? before + 1 : 1;
            Store(request, count);
            return count;
        }

        if (_sentWithoutMarker && request.Options.TryGetValue(Key, out var unmarked))
        {
            Store(request, unmarked + 1);
            return unmarked + 1;
        }

        return 0;
    }

    /// <summary>Records a send that wrote no marked header: a resend of it could not be told by its headers.</summary>
    public void SentWithoutMarker(HttpRequestMessage request, int sendsBefore)
    {
        _sentWithoutMarker = true;
        if (sendsBefore == 0)
        {
            Store(request, 0); // a resend's count is there already
        }
    }

    private static void Store(HttpRequestMessage request, int count) =>
        ((IDictionary<string, object?>)request.Options)[Key.Key] = count < BoxedCounts.Length ? BoxedCounts[count] : count;

    private bool HasMarkedHeader(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        var marked = MarkedNames;
        if (marked is null || headers.NonValidated.Count == 0)
        {
            return false;
        }

        foreach (var header in headers.NonValidated)
        {
            foreach (var name in marked)
            {
                if (ReferenceEquals(header.Key, name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Copies the names, after checking that HttpHeaders hands back the instance a header was added with.</summary>
    private static string[]? CreateMarkedNames(string[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        var marked = new string[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            marked[i] = new string(fields[i].AsSpan());
        }

        try
        {
            using var probe = new HttpRequestMessage();
            if (!probe.Headers.TryAddWithoutValidation(marked[0], "x"))
            {
                return null;
            }

            foreach (var header in probe.Headers.NonValidated)
            {
                if (ReferenceEquals(header.Key, marked[0]))
                {
                    return marked;
                }
            }
        }
        catch (Exception)
        {
            // A field name HttpHeaders refuses: no marks, Options counts every send.
        }

        return null;
    }
}
