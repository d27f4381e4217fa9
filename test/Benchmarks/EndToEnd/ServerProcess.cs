using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// This program started again as a server (<c>e2e --serve MODE</c>, or another harness's serve command); it prints
/// <see cref="EndToEndServer.ListeningPrefix"/> and its URL once it listens, and stops when its standard input closes.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors;
    private readonly List<string> _output;

    private ServerProcess(EndToEndMode mode, Process process, Uri address, StringBuilder errors, List<string> output)
    {
        Mode = mode;
        _process = process;
        _errors = errors;
        _output = output;
        Address = address;
        EndPoint = new IPEndPoint(IPAddress.Loopback, address.Port);
    }

    public EndToEndMode Mode { get; }

    public Uri Address { get; }

    public IPEndPoint EndPoint { get; }

    public string ErrorOutput
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Gets the lines the server printed on standard output, but for its listening line.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>Starts the end-to-end harness's server (<c>e2e --serve MODE</c>) with the harness's environment.</summary>
    public static Task<ServerProcess> StartAsync(EndToEndMode mode, EndToEndOptions options, CpuPinning? pinning)
    {
        List<string> arguments = ["e2e", "--serve", EndToEndOptions.ModeName(mode)];
        if (options.AllocationProfile)
        {
            arguments.Add("--alloc-profile");
        }

        if (options.Logging)
        {
            arguments.Add("--logging");
        }

        return LaunchAsync(mode, arguments, info =>
        {
            info.Environment["DOTNET_gcServer"] = options.ServerGc ? "1" : "0";
            if (options.NoSpin)
            {
                info.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
            }

            pinning?.PinServer(info);
        });
    }

    /// <summary>Starts this program with <paramref name="arguments"/> and waits until it listens.</summary>
    public static async Task<ServerProcess> LaunchAsync(EndToEndMode mode, IReadOnlyList<string> arguments, Action<ProcessStartInfo>? configure = null)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start the servers with.");
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_gcServer"] = "0";

        // Tiered compilation waits for a quiet moment (100 ms with no new methods compiled) before it counts calls
        // and compiles hot methods again with full optimization; under steady load that moment kept coming late,
        // and servers recompiled their request path for a second or more inside measured rounds, 30-40 s after
        // start (seen with a JIT event listener). Counting from the start, every mode reaches the same optimized
        // code during the warm-up; the code itself is unchanged.
        info.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key); // the modes are defined in code, not by whatever the shell exports
        }

        configure?.Invoke(info);
        var process = new Process { StartInfo = info };
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new StringBuilder();
        var output = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(EndToEndServer.ListeningPrefix, StringComparison.Ordinal) == true)
            {
                listening.TrySetResult(new Uri(e.Data[EndToEndServer.ListeningPrefix.Length..]));
            }
            else if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The {EndToEndOptions.ModeName(mode)} server exited early:\n{errors}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var address = await listening.Task.WaitAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        return new ServerProcess(mode, process, address, errors, output);
    }

    public async Task<ServerStats> ReadStatsAsync(HttpClient client) =>
        ServerStats.Parse(await client.GetStringAsync(new Uri(Address, EndToEndServer.StatsPath)).ConfigureAwait(false));

    public Task<string> ReadAllocationsAsync(HttpClient client) =>
        client.GetStringAsync(new Uri(Address, EndToEndServer.AllocationsPath));

    /// <summary>Closes the server's standard input (its graceful stop) and waits for it to exit and its output to end.</summary>
    /// <returns>Its exit code, or <see langword="null"/> when it did not exit within <paramref name="timeout"/> and was killed.</returns>
    public async Task<int?> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            return _process.ExitCode;
        }

        try
        {
            _process.StandardInput.Close();
            using var cancel = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _ = await StopAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
