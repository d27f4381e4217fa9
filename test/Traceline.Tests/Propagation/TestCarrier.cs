using Microsoft.Extensions.Primitives;

namespace Traceline.Tests.Propagation;

/// <summary>A hand-written carrier: header names are case-insensitive, a header may hold several values, the setter replaces.</summary>
internal sealed class TestCarrier
{
    public static readonly Func<TestCarrier, string, StringValues> Getter = static (c, name) => c.Headers.TryGetValue(name, out var v) ? v : StringValues.Empty;

    public static readonly Action<TestCarrier, string, string> Setter = static (c, name, value) => c.Headers[name] = value;

    public Dictionary<string, StringValues> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static TestCarrier With(params (string Name, string[] Values)[] headers)
    {
        var carrier = new TestCarrier();
        foreach (var (name, values) in headers)
        {
            carrier.Headers[name] = new StringValues(values);
        }

        return carrier;
    }

    public string? Get(string name) => Headers.TryGetValue(name, out var v) ? v.ToString() : null;
}
