using System.Globalization;

namespace Traceline;

/// <summary>
/// Where settings come from below code: the <c>Tracing</c> configuration section first, then the standard
/// <c>OTEL_*</c> environment variables. Invalid values are reported once, naming the key and the value, and replaced
/// by the default: configuration never crashes the app.
/// </summary>
internal sealed class SettingsSource
{
    /// <summary>The configuration section Traceline reads.</summary>
    public const string SectionName = "Tracing";

    private readonly Func<string, string?>? _configuration;
    private readonly Func<string, string?> _environment;

    public SettingsSource(Func<string, string?>? configuration, Func<string, string?> environment, TracelineDiagnostics diagnostics)
    {
        _configuration = configuration;
        _environment = environment;
        Diagnostics = diagnostics;
    }

    public TracelineDiagnostics Diagnostics { get; set; }

    public static SettingsSource FromProcessEnvironment(TracelineDiagnostics diagnostics) =>
        new(null, Environment.GetEnvironmentVariable, diagnostics);

    /// <summary>Returns the raw value and the name of where it came from, configuration before environment.</summary>
    public string? Get(string? configKey, string? environmentVariable, out string source)
    {
        if (configKey is not null && _configuration?.Invoke(configKey) is { } configured)
        {
            source = SectionName + ":" + configKey;
            return configured;
        }

        if (environmentVariable is not null && _environment(environmentVariable) is { Length: > 0 } fromEnvironment)
        {
            source = environmentVariable;
            return fromEnvironment;
        }

        source = configKey is not null ? SectionName + ":" + configKey : environmentVariable ?? string.Empty;
        return null;
    }

    public string? GetString(string? configKey, string? environmentVariable) =>
        Get(configKey, environmentVariable, out _) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>
    /// Reads a whole number in [<paramref name="min"/>, <paramref name="max"/>]. Anything else (negative, out of range,
    /// too large, non-ASCII digits, a sign, inner spaces, blank) gives <paramref name="fallback"/> and one report, as the
    /// OpenTelemetry specification asks: an invalid value is ignored with a warning, never clamped into a working one.
    /// </summary>
    public int GetInt(string? configKey, string? environmentVariable, int fallback, int min, int max) =>
        ReadInt(configKey, environmentVariable, min, max, fallback.ToString(CultureInfo.InvariantCulture)) ?? fallback;

    /// <summary>Reads an optional whole number; <see langword="null"/> when absent or invalid (which is reported).</summary>
    public int? GetOptionalInt(string? configKey, string? environmentVariable, int min, int max) =>
        ReadInt(configKey, environmentVariable, min, max, "the default");

    private int? ReadInt(string? configKey, string? environmentVariable, int min, int max, string fallbackText)
    {
        var raw = Get(configKey, environmentVariable, out var source);
        if (raw is null)
        {
            return null;
        }

        if (TryParseWholeNumber(raw, min, max, out var value))
        {
            return value;
        }

        Diagnostics.InvalidConfiguration(source, Shorten(raw), fallbackText, $"Expected a whole number from {min} to {max}.");
        return null;
    }

    /// <summary>ASCII digits only, with surrounding spaces or tabs allowed; no sign, no separators, in range.</summary>
    internal static bool TryParseWholeNumber(ReadOnlySpan<char> raw, int min, int max, out int value)
    {
        value = 0;
        var digits = raw.Trim(" \t");
        if (digits.IsEmpty || digits.Length > 10)
        {
            return false;
        }

        long number = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            number = (number * 10) + (c - '0');
        }

        if (number < min || number > max)
        {
            return false;
        }

        value = (int)number;
        return true;
    }

    /// <summary>A value as a report shows it: at most 64 characters, control characters as <c>?</c>.</summary>
    internal static string Shorten(string raw)
    {
        const int Shown = 64;
        var length = Math.Min(raw.Length, Shown);
        return string.Create(length + (raw.Length > Shown ? 1 : 0), raw, static (chars, text) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = i < Shown ? (char.IsControl(text[i]) ? '?' : text[i]) : '…';
            }
        });
    }

    /// <summary>Reads <c>true</c>/<c>false</c> (case-insensitive); anything else is reported and gives <paramref name="fallback"/>.</summary>
    public bool GetBool(string? configKey, string? environmentVariable, bool fallback)
    {
        var raw = Get(configKey, environmentVariable, out var source);
        if (raw is null)
        {
            return fallback;
        }

        if (bool.TryParse(raw.Trim(), out var value))
        {
            return value;
        }

        Diagnostics.InvalidConfiguration(source, Shorten(raw), fallback ? "true" : "false", "Expected true or false.");
        return fallback;
    }

    /// <summary>Reports a value that the caller found invalid.</summary>
    public void ReportInvalid(string? configKey, string? environmentVariable, string fallback, string expected)
    {
        var raw = Get(configKey, environmentVariable, out var source);
        Diagnostics.InvalidConfiguration(source, Shorten(raw ?? string.Empty), fallback, expected);
    }
}
