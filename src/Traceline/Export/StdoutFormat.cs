namespace Traceline.Export;

/// <summary>How <see cref="StdoutSpanExporter"/> lays out each span.</summary>
public enum StdoutFormat
{
    /// <summary>Indented JSON, one object per span: for people (the default).</summary>
    Pretty = 0,

    /// <summary>One JSON object per line (JSON Lines): for log collectors and <c>jq</c>.</summary>
    Compact = 1,
}
