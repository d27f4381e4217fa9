namespace Traceline;

/// <summary>Capturing the Activities of other libraries' ActivitySources.</summary>
public sealed partial class TracingBuilder
{
    private readonly List<string> _sources = [];

    /// <summary>
    /// Captures every <see cref="System.Diagnostics.Activity"/> of the named ActivitySources as a span of the current
    /// trace: a child of the current span, sampled by the provider's sampler, exported by its exporters, with its kind,
    /// status, tags (as attributes), events, links and trace state. Default: none; also <c>Tracing:Sources</c>.
    /// </summary>
    /// <param name="names">Source names, such as <c>Npgsql</c>, or patterns where <c>*</c> stands for any run of
    /// characters, such as <c>MyCompany.*</c> or <c>*</c> for every source. Compared ignoring case.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// <para>
    /// HttpClient's <c>System.Net.Http</c> and ASP.NET Core's <c>Microsoft.AspNetCore</c> sources are never captured,
    /// even by <c>*</c>: Traceline's client and server spans already record those requests.
    /// </para>
    /// <para>
    /// With a source listed, every Traceline span is also <see cref="System.Diagnostics.Activity.Current"/> while it
    /// runs (one Activity per span), so that the captured Activities find their parent. With none listed no listener
    /// exists, and an Activity's source that is not listed never calls into Traceline.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="names"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A name is empty or white space.</exception>
    public TracingBuilder AddSource(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(names));
            _sources.Add(name);
        }

        return this;
    }

    /// <summary>The sources named in code, then those of configuration.</summary>
    private SourceFilter BuildSources(TracingSettings settings) => new([.. _sources, .. settings.Sources]);
}
