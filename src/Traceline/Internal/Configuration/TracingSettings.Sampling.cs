using System.Globalization;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline;

internal sealed partial class TracingSettings
{
    /// <summary>The sampler when none is configured: parent-based always-on.</summary>
    internal static readonly Sampler DefaultSampler = Sampler.ParentBased(Sampler.AlwaysOn);

    /// <summary>The rate of <c>traceline_ratelimited</c> when <c>OTEL_TRACES_SAMPLER_ARG</c> is not set: traces per second.</summary>
    internal const double DefaultTracesPerSecond = 100;

    private const string SamplerNames =
        "Expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio, "
        + "traceline_ratelimited or parentbased_traceline_ratelimited.";

    /// <summary>Reads <c>OTEL_TRACES_SAMPLER</c> (names compared case-insensitively) and <c>OTEL_TRACES_SAMPLER_ARG</c>.</summary>
    private static Sampler ReadSampler(SettingsSource source)
    {
        var name = source.GetString("Sampler", "OTEL_TRACES_SAMPLER");
        switch (name?.ToLowerInvariant())
        {
            case null:
                return DefaultSampler;
            case "always_on":
                return Sampler.AlwaysOn;
            case "always_off":
                return Sampler.AlwaysOff;
            case "traceidratio":
                return Sampler.TraceIdRatio(ReadSamplerRatio(source));
            case "parentbased_always_on":
                return DefaultSampler;
            case "parentbased_always_off":
                return Sampler.ParentBased(Sampler.AlwaysOff);
            case "parentbased_traceidratio":
                return Sampler.ParentBased(Sampler.TraceIdRatio(ReadSamplerRatio(source)));
            case "traceline_ratelimited":
                return Sampler.RateLimited(ReadTracesPerSecond(source));
            case "parentbased_traceline_ratelimited":
                return Sampler.ParentBased(Sampler.RateLimited(ReadTracesPerSecond(source)));
            default:
                source.ReportInvalid("Sampler", "OTEL_TRACES_SAMPLER", "parentbased_always_on", SamplerNames);
                return DefaultSampler;
        }
    }

    /// <summary>Reads the ratio for the ratio samplers: a number from 0 to 1, default 1.</summary>
    private static double ReadSamplerRatio(SettingsSource source)
    {
        const double fallback = 1.0;
        var raw = source.GetString("SamplerArg", "OTEL_TRACES_SAMPLER_ARG");
        if (raw is null)
        {
            return fallback;
        }

        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0.0 and <= 1.0)
        {
            return ratio;
        }

        source.ReportInvalid("SamplerArg", "OTEL_TRACES_SAMPLER_ARG", "1.0", "Expected a number from 0 to 1.");
        return fallback;
    }

    /// <summary>Reads the rate of the rate-limited samplers: traces per second, a finite number of 0 or more, default 100.</summary>
    private static double ReadTracesPerSecond(SettingsSource source)
    {
        var raw = source.GetString("SamplerArg", "OTEL_TRACES_SAMPLER_ARG");
        if (raw is null)
        {
            return DefaultTracesPerSecond;
        }

        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && double.IsFinite(rate) && rate >= 0.0)
        {
            return rate;
        }

        source.ReportInvalid("SamplerArg", "OTEL_TRACES_SAMPLER_ARG", "100", "Expected the most traces sampled per second: a number, 0 or more.");
        return DefaultTracesPerSecond;
    }

    /// <summary>
    /// Reads <c>OTEL_PROPAGATORS</c>: a comma-separated list of <c>tracecontext</c>, <c>baggage</c>, <c>b3</c>,
    /// <c>b3multi</c> and <c>none</c>, in order. Unknown names are reported and skipped; when nothing usable remains the default (tracecontext,baggage)
    /// is used. <c>none</c> alone turns propagation off.
    /// </summary>
    private static TextMapPropagator ReadPropagator(SettingsSource source)
    {
        var raw = source.GetString("Propagators", "OTEL_PROPAGATORS");
        if (raw is null)
        {
            return Propagators.Default;
        }

        var selected = new List<TextMapPropagator>();
        var none = false;
        var invalid = false;
        foreach (var range in raw.AsSpan().Split(','))
        {
            var name = raw.AsSpan()[range].Trim();
            if (name.IsEmpty)
            {
                continue;
            }

            if (name.Equals("tracecontext", StringComparison.OrdinalIgnoreCase))
            {
                AddOnce(selected, Propagators.TraceContext);
            }
            else if (name.Equals("baggage", StringComparison.OrdinalIgnoreCase))
            {
                AddOnce(selected, Propagators.Baggage);
            }
            else if (name.Equals("b3", StringComparison.OrdinalIgnoreCase))
            {
                AddOnce(selected, Propagators.B3);
            }
            else if (name.Equals("b3multi", StringComparison.OrdinalIgnoreCase))
            {
                AddOnce(selected, Propagators.B3Multi);
            }
            else if (name.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                none = true;
            }
            else
            {
                invalid = true;
            }
        }

        if (selected.Count == 0)
        {
            if (none && !invalid)
            {
                return Propagators.None;
            }

            source.ReportInvalid("Propagators", "OTEL_PROPAGATORS", "tracecontext,baggage", "Expected tracecontext, baggage, b3, b3multi or none (comma-separated).");
            return Propagators.Default;
        }

        if (invalid)
        {
            source.ReportInvalid("Propagators", "OTEL_PROPAGATORS", "the known names only", "Expected tracecontext, baggage, b3, b3multi or none (comma-separated); other names are skipped.");
        }

        return selected is [var first, var second] && first == Propagators.TraceContext && second == Propagators.Baggage ? Propagators.Default : Propagators.Composite([.. selected]);
    }

    private static void AddOnce(List<TextMapPropagator> list, TextMapPropagator item)
    {
        if (!list.Contains(item))
        {
            list.Add(item);
        }
    }
}
