namespace Traceline.Examples.FooService;

/// <summary>Runs foo-service alone: <c>dotnet run --project examples/foo-service [--urls ...] [--Bar:BaseUrl ...]</c>.</summary>
public sealed class Program
{
    private Program()
    {
    }

    /// <summary>Builds and runs the app until Ctrl+C.</summary>
    public static void Main(string[] args) => FooServiceApp.Build(args).Run();
}
