namespace Traceline;

/// <summary>The captured ActivitySources: <c>Tracing:Sources</c>.</summary>
internal sealed partial class TracingSettings
{
    /// <summary>The most entries read from a <c>Tracing:Sources</c> array.</summary>
    private const int MaxSourceEntries = 256;

    /// <summary>Gets the source names and patterns named by configuration.</summary>
    public IReadOnlyList<string> Sources { get; private set; } = [];

    /// <summary>
    /// Reads <c>Tracing:Sources</c> as either a comma-separated string (<c>"Npgsql,MyCompany.*"</c>, handy in an
    /// environment variable such as <c>Tracing__Sources</c>) or an array (<c>"Sources": ["Npgsql", "MyCompany.*"]</c>
    /// in appsettings.json, which configuration flattens to <c>Sources:0</c>, <c>Sources:1</c>, ...).
    /// </summary>
    private static IReadOnlyList<string> ReadSources(SettingsSource source)
    {
        var result = new List<string>();
        if (source.GetString("Sources", null) is { } list)
        {
            AddNames(result, list);
        }

        for (var i = 0; i < MaxSourceEntries; i++)
        {
            if (source.Get("Sources:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null, out _) is not { } entry)
            {
                break;
            }

            AddNames(result, entry);
        }

        return result;
    }

    private static void AddNames(List<string> names, string list)
    {
        foreach (var range in list.AsSpan().Split(','))
        {
            var name = list.AsSpan()[range].Trim();
            if (!name.IsEmpty)
            {
                names.Add(name.ToString());
            }
        }
    }
}
