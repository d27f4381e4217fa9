namespace Traceline.Examples.BarService;

/// <summary>Runs bar-service alone: <c>dotnet run --project examples/bar-service [--urls ...] [--Bar:BaseUrl ...]</c>.</summary>
public sealed class Program
{
    private Program()
    {
    }

    /// <summary>Builds and runs the app until Ctrl+C.</summary>
    public static void Main(string[] args) => BarServiceApp.Build(args).Run();
}
