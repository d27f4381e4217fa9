using System.Text;

namespace Traceline.Cli.Tests;

public sealed class JsonScanTests
{
    [Theory]
    [InlineData("{\"a\":1}", 0, 6)]                                        // from just after '{'
    [InlineData("[1,[2,3],{\"b\":[4]}]", 1, 18)]
    [InlineData("{\"Key\":\"x\",\"Value\":{\"Type\":\"STRING\",\"Value\":\"}]{[\"}}", 9, 51)]
    [InlineData("{\"k\":\"a \\\" } still a string\",\"v\":{}}", 3, 35)]   // an escaped quote
    [InlineData("{\"k\":\"\\\\\",\"v\":[]}", 3, 16)]                      // an escaped backslash ends the string
    [InlineData("{\"a\":{\"b\":1}", 4, -1)]                               // the data ends inside
    public void ContainerEnd_ShortInput_FindsTheClosingByte(string json, int after, int expected)
    {
        Assert.Equal(expected, JsonScan.ContainerEnd(Encoding.UTF8.GetBytes(json), after + 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\\"yy")]
    public void ContainerEnd_StringsAndBracketsAcrossBlocks_MatchesAByteByByteScan(string padding)
    {
        // Brackets inside strings, escapes and nesting at every offset against the 32-byte steps.
        for (var shift = 0; shift < 40; shift++)
        {
            var json = "{" + new string(' ', shift) + "\"p\":\"" + padding + "{[\",\"q\":[{\"r\":\"]}\\\\\"},[]],\"s\":{}}" + " ,\"after\":1}";
            var bytes = Encoding.UTF8.GetBytes(json);
            var expected = json.IndexOf("} ,\"after\"", StringComparison.Ordinal);
            Assert.Equal(expected, JsonScan.ContainerEnd(bytes, 1));
        }
    }
}
