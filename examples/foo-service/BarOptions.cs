namespace Traceline.Examples.FooService;

/// <summary>Where bar-service is: configuration section <c>Bar</c> (<c>--Bar:BaseUrl http://...</c>).</summary>
public sealed class BarOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Bar";

    /// <summary>Gets or sets bar-service's base address.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5002";
}
