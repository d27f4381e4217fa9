using System.Diagnostics;

namespace Traceline;

/// <summary>
/// The <see cref="Activity"/> that makes a Traceline span visible as <see cref="Activity.Current"/>: same trace id,
/// same span id (the span adopts the id the Activity generated), same sampled flag. It also remembers what was current
/// before it, Traceline's and .NET's, so that the span's end puts both back.
/// </summary>
/// <remarks>
/// Its source is the unnamed default one, which Traceline never captures: a mirror is never exported twice.
/// </remarks>
internal sealed class SpanActivity(string operationName) : Activity(operationName)
{
    /// <summary>The span id, kept so that agreement with a child's parent is checked without parsing the hex string.</summary>
    public SpanId MirroredSpanId { get; set; }

    /// <summary>The Traceline span that was current before the mirrored span started.</summary>
    public Span? PreviousSpan { get; set; }

    /// <summary>The Activity that was current before the mirror started (the mirror's Parent only when it inherited it).</summary>
    public Activity? PreviousActivity { get; set; }
}
