namespace Traceline.Tests.Propagation;

/// <summary>Applies generated edits to a header value, for property tests that probe the inputs near a valid one.</summary>
internal static class TextEdits
{
    /// <summary>Applies each edit in turn: kind 0 replaces, 1 inserts, 2 deletes the character at <c>At</c> (wrapped to the length).</summary>
    public static string Apply(string value, (int Kind, int At, char C)[] edits)
    {
        var input = value;
        foreach (var (kind, at, c) in edits)
        {
            var index = at % (input.Length + 1);
            input = kind switch
            {
                0 when index < input.Length => input[..index] + c + input[(index + 1)..],
                1 => input.Insert(index, c.ToString()),
                _ when index < input.Length => input.Remove(index, 1),
                _ => input,
            };
        }

        return input;
    }
}
