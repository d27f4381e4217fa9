using BenchmarkDotNet.Running;
using Traceline.Benchmarks.Bursts;
using Traceline.Benchmarks.EndToEnd;

namespace Traceline.Benchmarks;

/// <summary>
/// Entry point. <c>dotnet run -c Release --project test/Benchmarks -- e2e [options]</c> runs the end-to-end harness
/// (<see cref="EndToEndHarness"/>), <c>-- e2e-bursts [options]</c> the bursts scenario against a slow OTLP receiver
/// (<see cref="BurstsHarness"/>); anything else goes to BenchmarkDotNet, e.g. <c>-- --filter '*' --job short</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "e2e")
        {
            return await EndToEndHarness.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "e2e-bursts")
        {
            return await BurstsHarness.RunAsync(args[1..]).ConfigureAwait(false);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
