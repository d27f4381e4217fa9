using System.Diagnostics;
using System.Globalization;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// <c>--pin</c>: the servers get one half of the CPUs this process may use and the load generator (this process) the
/// other, so the two never take turns on one core. On a 2-core machine that is the closest thing to running the load
/// from another machine, and it takes the scheduler's mixing of client and server threads out of the numbers.
/// Linux only (<c>taskset</c> from util-linux).
/// </summary>
internal sealed class CpuPinning
{
    private CpuPinning(string loadCpus, string serverCpus)
    {
        LoadCpus = loadCpus;
        ServerCpus = serverCpus;
    }

    /// <summary>Gets the CPU list (taskset syntax) of the load generator.</summary>
    public string LoadCpus { get; }

    /// <summary>Gets the CPU list (taskset syntax) of every server.</summary>
    public string ServerCpus { get; }

    /// <summary>Splits the CPUs this process may use in two and moves every thread of this process to the first half.</summary>
    /// <exception cref="InvalidOperationException">Not Linux, fewer than 2 CPUs, or taskset failed.</exception>
    public static CpuPinning PinLoadGenerator()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("--pin needs Linux (taskset).");
        }

        using var self = Process.GetCurrentProcess();
        var mask = (ulong)(long)self.ProcessorAffinity;
        var cpus = new List<int>();
        for (var cpu = 0; cpu < 64; cpu++)
        {
            if ((mask & (1UL << cpu)) != 0)
            {
                cpus.Add(cpu);
            }
        }

        if (cpus.Count < 2)
        {
            throw new InvalidOperationException($"--pin needs at least 2 CPUs; this process may use {cpus.Count}.");
        }

        var half = cpus.Count / 2;
        var pinning = new CpuPinning(List(cpus[..half]), List(cpus[half..]));
        Run("-a", "-p", "-c", pinning.LoadCpus, self.Id.ToString(CultureInfo.InvariantCulture));
        return pinning;
    }

    /// <summary>Makes <paramref name="info"/> start its program through taskset on the servers' CPUs.</summary>
    public void PinServer(ProcessStartInfo info)
    {
        var program = info.FileName;
        var args = info.ArgumentList.ToList();
        info.FileName = "taskset";
        info.ArgumentList.Clear();
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ServerCpus);
        info.ArgumentList.Add(program);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
    }

    private static string List(List<int> cpus) => string.Join(',', cpus);

    private static void Run(params string[] args)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process? started;
        try
        {
            started = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"--pin needs taskset (util-linux) on PATH: {ex.Message}", ex);
        }

        using var process = started ?? throw new InvalidOperationException("taskset did not start.");
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset {string.Join(' ', args)} failed: {error}");
        }
    }
}
