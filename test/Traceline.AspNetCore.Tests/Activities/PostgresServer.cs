using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Traceline.AspNetCore.Tests.Activities;

/// <summary>
/// A real PostgreSQL server (Debian's <c>postgresql</c> package, which .ci/run installs when missing) in a temporary
/// data directory on a free 127.0.0.1 port, for the life of a test class. PostgreSQL refuses to run as root, so as
/// root the server runs as the <c>postgres</c> user the package creates.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly bool _asPostgresUser;

    public PostgresServer()
    {
        _bin = FindBinaries();
        _asPostgresUser = Environment.UserName == "root";
        _dataDirectory = Directory.CreateTempSubdirectory("traceline-pg-").FullName;
        if (_asPostgresUser)
        {
            Run("chown", ["postgres:postgres", _dataDirectory], asPostgres: false);
        }

        Port = FreePort();
        Run(Path.Combine(_bin, "initdb"), ["-D", _dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        Run(Path.Combine(_bin, "pg_ctl"), [
            "-D", _dataDirectory, "-w", "-t", "60", "-l", Path.Combine(_dataDirectory, "server.log"),
            "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_dataDirectory} -c fsync=off", "start"]);
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=30";

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", _dataDirectory, "-w", "-m", "immediate", "stop"]);
        }
        finally
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var versions = Directory.Exists(Root) ? Directory.GetDirectories(Root).Where(d => File.Exists(Path.Combine(d, "bin", "initdb"))).Order().ToArray() : [];
        return versions.Length > 0
            ? Path.Combine(versions[^1], "bin")
            : throw new InvalidOperationException("PostgreSQL is not installed: run `apt-get install -y postgresql` (.ci/run does it when missing).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Run(string program, string[] arguments) => Run(program, arguments, _asPostgresUser);

    private static void Run(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        if (asPostgres)
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(prefix);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {CommandTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result}{output.Result}");
        }
    }
}
