using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Traceline.Cli.Tests;

/// <summary>
/// Runs <c>traceline view --follow</c> in process on real files in a temporary folder, on a fake clock the test
/// advances: each step moves the clock by one poll and waits (with a timeout) until the tool has looked again.
/// </summary>
internal sealed class Follower : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly LockedWriter _output = new();
    private readonly LockedWriter _errors = new();
    private readonly SemaphoreSlim _looked = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<FollowedInput> _inputs = [];
    private Task<int>? _run;

    public Follower(Action<ViewCommand>? configure = null, TimeProvider? time = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("traceline-follow-").FullName;
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        View = new ViewCommand(_output, _errors) { MaxTraces = ViewCommand.DefaultMaxTraces };
        configure?.Invoke(View);
        Command = new FollowCommand(View, Time) { Looked = () => _looked.Release() };
    }

    public string Directory { get; }

    public TimeProvider Time { get; }

    public ViewCommand View { get; }

    public FollowCommand Command { get; }

    public string Output => _output.ToString();

    public string Errors => _errors.ToString();

    public string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>Appends text to a file as a logging process would: open, write, close.</summary>
    public void Append(string file, string text)
    {
        using var stream = new FileStream(PathOf(file), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Starts following the files (created empty when missing) and the streams, and waits for the first look.</summary>
    public async Task StartAsync(string[] files, params Stream[] streams)
    {
        foreach (var file in files)
        {
            Append(file, string.Empty);
            _inputs.Add(FollowedInput.OpenFile(PathOf(file), _errors));
        }

        foreach (var stream in streams)
        {
            _inputs.Add(FollowedInput.FromStream(stream, "stdin", _errors, _stop.Token));
        }

        _run = Task.Run(() => Command.RunAsync(_inputs, _stop.Token));
        Assert.True(await _looked.WaitAsync(Deadline), "the tool did not look at its inputs");
    }

    /// <summary>Moves the clock one poll at a time, letting the tool look each time, until the output says what is wanted.</summary>
    public async Task<string> AdvanceUntilAsync(Func<string, bool> wanted, TimeSpan? step = null)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!wanted(Output))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the output never came; it is:\n{Output}\n--- stderr ---\n{Errors}");
            await StepAsync(step);
        }

        return Output;
    }

    /// <summary>Moves the clock by <paramref name="step"/> (one poll when null) and waits until the tool looked again.</summary>
    public async Task StepAsync(TimeSpan? step = null)
    {
        while (_looked.CurrentCount > 0)
        {
            await _looked.WaitAsync();
        }

        var fake = Time as FakeTimeProvider;
        var deadline = DateTime.UtcNow + Deadline;
        do
        {
            // The tool may not be waiting on the clock yet right after its last look: advance again until it looks.
            Assert.True(DateTime.UtcNow < deadline, "the tool stopped looking at its inputs");
            fake?.Advance(step ?? Command.Poll);
        }
        while (!await _looked.WaitAsync(TimeSpan.FromMilliseconds(fake is null ? 1000 : 200)));
    }

    /// <summary>Ctrl+C: stops following and returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await WaitForEndAsync();
    }

    /// <summary>Waits until the tool ends by itself (its inputs closed).</summary>
    public async Task<int> WaitForEndAsync() => await _run!.WaitAsync(Deadline);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(Deadline);
        }

        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _stop.Dispose();
        _looked.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>A StringWriter that the tool writes on its task while the test reads it.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_lock)
            {
                base.Write(buffer, index, count);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                base.WriteLine(value);
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }
    }
}
