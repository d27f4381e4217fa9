namespace Traceline;

/// <summary>Conversions between Unix nanoseconds (what OTLP carries) and <see cref="DateTimeOffset"/>.</summary>
internal static class UnixTime
{
    private const long NanosPerTick = 100;

    public static DateTimeOffset ToDateTimeOffset(long unixNanos) =>
        new(DateTime.UnixEpoch.Ticks + (unixNanos / NanosPerTick), TimeSpan.Zero);

    public static long FromDateTimeOffset(DateTimeOffset value) =>
        (value.UtcTicks - DateTime.UnixEpoch.Ticks) * NanosPerTick;
}
