namespace Traceline.Export;

/// <summary>Settings of <see cref="StdoutSpanExporter"/>.</summary>
public sealed class StdoutExporterOptions
{
    /// <summary>Gets or sets the layout. Default <see cref="StdoutFormat.Pretty"/> (configuration key <c>Tracing:Stdout:Format</c>: <c>pretty</c>, <c>compact</c> or <c>tree</c>).</summary>
    public StdoutFormat Format { get; set; } = StdoutFormat.Pretty;

    /// <summary>Gets or sets where spans are written: <see langword="null"/> (the default) means <see cref="Console.Out"/>; use <see cref="Console.Error"/> or any writer.</summary>
    /// <remarks>The writer is used from the export worker only, one batch at a time.</remarks>
    public TextWriter? Writer { get; set; }
}
