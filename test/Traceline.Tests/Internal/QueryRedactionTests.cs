namespace Traceline.Tests.Internal;

public sealed class QueryRedactionTests
{
    [Theory]
    [InlineData("?a=1&b=2", "?a=1&b=2")]
    [InlineData("?sig=secret&a=1", "?sig=REDACTED&a=1")]
    [InlineData("X-Amz-Signature=abc&X-Amz-Credential=def", "X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED")]
    [InlineData("?AWSAccessKeyId=k&Signature=s&X-Goog-Signature=g&X-Amz-Security-Token=t", "?AWSAccessKeyId=REDACTED&Signature=REDACTED&X-Goog-Signature=REDACTED&X-Amz-Security-Token=REDACTED")]
    [InlineData("?flag&sig=", "?flag&sig=REDACTED")]
    [InlineData("", "")]
    [InlineData("?%73ig=secret&a=1", "?%73ig=REDACTED&a=1")] // a percent-encoded key is the key the server reads
    [InlineData("X%2DAmz%2DSignature=abc", "X%2DAmz%2DSignature=REDACTED")]
    public void Redact_SemanticConventionKeys_ValuesReplaced(string query, string expected) =>
        Assert.Equal(expected, QueryRedaction.Redact(query));

    [Fact]
    public void Redact_UserKeys_AlsoReplaced() =>
        Assert.Equal("?token=REDACTED&page=2", QueryRedaction.Redact("?token=abc&page=2", ["token"]));

    [Fact]
    public void Redact_NothingSensitive_ReturnsSameInstance()
    {
        var query = "?page=2&size=10";
        Assert.Same(query, QueryRedaction.Redact(query));
    }
}
