using System.Runtime.CompilerServices;

namespace Traceline.Tests.Shared;

/// <summary>
/// Compares text with a golden file checked in beside the test (copied to the output folder), exactly. Set
/// <c>TRACELINE_UPDATE_GOLDEN=1</c> to rewrite the checked-in file instead, then read the diff before committing it.
/// </summary>
internal static class GoldenFile
{
    public static void AssertMatches(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("TRACELINE_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(Path.GetDirectoryName(callerFile)!, "Golden", name);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, actual);
            return;
        }

        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        Assert.True(File.Exists(path), $"No golden file {path}: run the test once with TRACELINE_UPDATE_GOLDEN=1 and review it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            var actualPath = path + ".actual";
            File.WriteAllText(actualPath, actual);
            Assert.Fail($"Output differs from {name} (diff it against {actualPath}):\n{FirstDifference(expected, actual)}");
        }
    }

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "(end)";
            var a = i < actualLines.Length ? actualLines[i] : "(end)";
            if (e != a)
            {
                return $"line {i + 1}\n  expected: {e}\n  actual:   {a}";
            }
        }

        return "(same lines)";
    }
}
