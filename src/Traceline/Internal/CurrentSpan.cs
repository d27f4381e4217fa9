namespace Traceline;

/// <summary>The span that is current in this async flow. It flows exactly as <see cref="ExecutionContext"/> does.</summary>
internal static class CurrentSpan
{
    private static readonly AsyncLocal<Span?> Slot = new();

    public static Span? Value
    {
        get => Slot.Value;
        set => Slot.Value = value;
    }
}
