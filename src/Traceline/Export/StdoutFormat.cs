namespace Traceline.Export;

/// <summary>How <see cref="StdoutSpanExporter"/> lays out each span.</summary>
public enum StdoutFormat
{
    /// <summary>Indented JSON, one object per span: for people (the default).</summary>
    Pretty = 0,

    /// <summary>One JSON object per line (JSON Lines): for log collectors and <c>jq</c>.</summary>
    Compact = 1,

    /// <summary>
    /// Each trace as an indented waterfall, printed once its root span in this process ends: name, kind, service,
    /// duration, a bar on the trace's time line, errors, the caller's span and the calls made. For people reading a
    /// console; colour on a terminal, plain text when redirected or when <c>NO_COLOR</c> is set.
    /// </summary>
    /// <remarks>
    /// Spans wait in the exporter, off the request thread, until their trace's root ends; a trace whose root never
    /// ends is printed after 10 seconds marked incomplete. At most 1024 traces wait; spans beyond that are dropped
    /// and the count is printed.
    /// </remarks>
    Tree = 2,
}
