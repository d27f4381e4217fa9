namespace Traceline;

/// <summary>The library or component that produced a span: the name and version a <see cref="Tracer"/> was created with.</summary>
public sealed class InstrumentationScope
{
    internal InstrumentationScope(string name, string? version)
    {
        Name = name;
        Version = version;
    }

    /// <summary>Gets the scope name, for example <c>Traceline.AspNetCore</c> or the service name for application spans.</summary>
    public string Name { get; }

    /// <summary>Gets the scope version, or <see langword="null"/>.</summary>
    public string? Version { get; }

    /// <inheritdoc/>
    public override string ToString() => Version is null ? Name : $"{Name} {Version}";
}
