using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Traceline.Examples.Tests;

/// <summary>Runs an example program (its built dll, through <c>dotnet</c>) as a process with a bounded timeout.</summary>
internal static class ExampleProcess
{
    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    public static async Task<Result> RunAsync(string project, string assembly, TimeSpan timeout, params string[] arguments)
    {
        var metadata = typeof(ExampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var dll = Path.Combine(metadata["ExamplesDirectory"]!, project, metadata["ExampleOutput"]!, assembly + ".dll");
        Assert.True(File.Exists(dll), $"Build the example first: {dll} is missing.");

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The example must not inherit settings that would change what it prints.
        foreach (var name in new[] { "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER", "OTEL_PROPAGATORS", "ASPNETCORE_URLS" })
        {
            start.Environment.Remove(name);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        var watch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{assembly} did not exit within {timeout}. Output so far:{Environment.NewLine}{Read(output)}");
        }

        // The parameterless wait drains the redirected streams.
        await process.WaitForExitAsync(CancellationToken.None);
        return new Result(process.ExitCode, Read(output), watch.Elapsed);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
