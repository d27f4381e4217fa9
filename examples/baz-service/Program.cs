namespace Traceline.Examples.BazService;

/// <summary>Runs baz-service alone: <c>dotnet run --project examples/baz-service [--urls ...] [--Bar:BaseUrl ...]</c>.</summary>
public sealed class Program
{
    private Program()
    {
    }

    /// <summary>Builds and runs the app until Ctrl+C.</summary>
    public static void Main(string[] args) => BazServiceApp.Build(args).Run();
}
