using System.Globalization;
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
    catch (IOException ex)
    {
        errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"traceline: cannot read {file}: {ex.Message}"));
        return 2;
    }
    catch (UnauthorizedAccessException ex)
    {
        errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"traceline: cannot read {file}: {ex.Message}"));
        return 2;
    }
}

return view.Print();
