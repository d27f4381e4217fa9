using System.Globalization;
using System.Runtime.InteropServices;
using Traceline.Cli;
using Traceline.Export;

var output = Console.Out;
var errors = Console.Error;
if (args.Length == 0 || args[0] != "view")
{
    errors.Write(Usage.Text);
    return 2;
}

var view = new ViewCommand(output, errors) { Color = StdoutSpanExporter.UseColor(null) };
var follow = (FollowCommand?)null;
var files = new List<string>();
for (var i = 1; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    try
    {
        switch (args[i])
        {
            case "--trace":
                view.TraceFilter = Next();
                break;
            case "--service":
                view.ServiceFilter = Next();
                break;
            case "--errors":
                view.ErrorsOnly = true;
                break;
            case "--slower-than":
                view.SlowerThanNanos = Usage.ParseDuration(Next());
                break;
            case "--no-color":
                view.Color = false;
                break;
            case "-f" or "--follow":
                follow ??= new FollowCommand(view, TimeProvider.System);
                break;
            case "--settle":
                (follow ??= new FollowCommand(view, TimeProvider.System)).Settle = Usage.ParseTimeSpan(Next());
                break;
            case "--timeout":
                (follow ??= new FollowCommand(view, TimeProvider.System)).Timeout = Usage.ParseTimeSpan(Next());
                break;
            case "--max-traces":
                view.MaxTraces = int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0
                    ? max : throw new ArgumentException($"--max-traces needs a positive number, not '{args[i]}'");
                break;
            case "-h" or "--help":
                output.Write(Usage.Text);
                return 0;
            default:
                files.Add(args[i]);
                break;
        }
    }
    catch (ArgumentException ex)
    {
        errors.WriteLine("traceline: " + ex.Message);
        return 2;
    }
}

if (follow is not null)
{
    return await FollowAsync(follow, view, files, errors);
}

if (files.Count == 0 || files.Contains("-"))
{
    view.Read(Console.OpenStandardInput(), "stdin");
}

foreach (var file in files)
{
    if (file == "-")
    {
        continue;
    }

    try
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        view.Read(stream, file);
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        return CannotRead(errors, file, ex);
    }
}

return view.Print();

static async Task<int> FollowAsync(FollowCommand follow, ViewCommand view, List<string> files, TextWriter errors)
{
    if (view.MaxTraces == int.MaxValue)
    {
        view.MaxTraces = ViewCommand.DefaultMaxTraces;
    }

    using var stop = new CancellationTokenSource();
    void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // end cleanly: the traces still waiting are printed
        stop.Cancel();
    }

    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    var inputs = new List<FollowedInput>();
    try
    {
        if (files.Count == 0 || files.Contains("-"))
        {
            inputs.Add(FollowedInput.FromStream(Console.OpenStandardInput(), "stdin", errors, stop.Token));
        }

        foreach (var file in files)
        {
            if (file != "-")
            {
                try
                {
                    inputs.Add(FollowedInput.OpenFile(file, errors));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return CannotRead(errors, file, ex);
                }
            }
        }

        return await follow.RunAsync(inputs, stop.Token);
    }
    finally
    {
        foreach (var input in inputs)
        {
            input.Dispose();
        }
    }
}

static int CannotRead(TextWriter errors, string file, Exception ex)
{
    errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"traceline: cannot read {file}: {ex.Message}"));
    return 2;
}
