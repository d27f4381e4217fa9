namespace Traceline;

/// <summary>Tracing of every HttpClient in the process: <c>Tracing:Http:AllClients</c>.</summary>
internal sealed partial class TracingSettings
{
    /// <summary>The configuration key (under <c>Tracing</c>) that turns the tracing of every HttpClient off.</summary>
    public const string AllHttpClientsKey = "Http:AllClients";

    /// <summary>Gets whether every HttpClient call gets a client span (default), not only those through Traceline's handler.</summary>
    public bool AllHttpClients { get; private set; } = true;

    private static bool ReadAllHttpClients(SettingsSource source) => source.GetBool(AllHttpClientsKey, null, fallback: true);
}
