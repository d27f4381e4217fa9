using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline;

internal sealed partial class TracingSettings
{
    /// <summary>Reads OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG. The full set of names comes with the samplers.</summary>
    private static Sampler ReadSampler(SettingsSource source)
    {
        var name = source.GetString("Sampler", "OTEL_TRACES_SAMPLER");
        switch (name?.ToLowerInvariant())
        {
            case null:
            case "always_on":
                return Sampler.AlwaysOn;
            case "always_off":
                return Sampler.AlwaysOff;
            default:
                source.ReportInvalid("Sampler", "OTEL_TRACES_SAMPLER", "always_on", "Expected always_on or always_off.");
                return Sampler.AlwaysOn;
        }
    }

    /// <summary>Reads OTEL_PROPAGATORS. The W3C propagators replace this.</summary>
    private static TextMapPropagator ReadPropagator(SettingsSource source)
    {
        _ = source.GetString("Propagators", "OTEL_PROPAGATORS");
        return NoopPropagator.Instance;
    }
}
