using CsCheck;

namespace Traceline.Http.Tests.Internal;

public sealed class HttpClientConventionsTests
{
    [Theory]
    [InlineData("http://example.test/a", "http://example.test/a")] // nothing to remove: the URI as it is
    [InlineData("http://u:p@example.test/a", "http://example.test/a")] // user info removed
    [InlineData("http://u@example.test:81/a?b=1", "http://example.test:81/a?b=1")] // user info without password removed, port kept
    [InlineData("http://example.test/a?sig=x", "http://example.test/a?sig=REDACTED")] // sensitive key of the conventions
    [InlineData("http://example.test/a?X-Amz-Signature=x&y=2", "http://example.test/a?X-Amz-Signature=REDACTED&y=2")] // only the sensitive value
    [InlineData("http://example.test/a?SIG=x", "http://example.test/a?SIG=REDACTED")] // keys compared without case
    [InlineData("http://example.test/a?signature2=x", "http://example.test/a?signature2=x")] // a longer key is not the key
    [InlineData("http://example.test/a?sig", "http://example.test/a?sig")] // a key without value has nothing to hide
    [InlineData("http://example.test/a?apikey=k#sig=x", "http://example.test/a?apikey=REDACTED#sig=x")] // extra key; the fragment is not query
    [InlineData("http://u:p@example.test/?sig=1", "http://example.test/?sig=REDACTED")] // both at once
    public void FullUrl_Table_MatchesConventions(string uri, string expected) =>
        Assert.Equal(expected, HttpClientConventions.FullUrl(new Uri(uri), ["apikey"]));

    [Fact]
    public void FullUrl_NothingToRemove_ReturnsCachedAbsoluteUri()
    {
        var uri = new Uri("http://example.test/a?b=c");
        Assert.Same(uri.AbsoluteUri, HttpClientConventions.FullUrl(uri, []));
    }

    [Fact]
    public void FullUrl_AnyQuery_NeverShowsSensitiveValueOrUserInfo()
    {
        // Secrets start with "ZQ", which occurs nowhere else in the URL (other values are lowercase and digits).
        var text = Gen.String["abcdefghijklmnopqrstuvwxyz0123456789"];
        Gen.Select(text.Select(s => "ZQ" + s), text.Select(s => "v" + s), Gen.Int[0, 3]).Sample((secret, other, position) =>
        {
            var pairs = new List<string> { "a=" + other, "b=" + other, "c=" + other };
            pairs.Insert(position, "Signature=" + secret);
            var full = HttpClientConventions.FullUrl(new Uri($"http://me:{secret}@example.test/p?{string.Join('&', pairs)}"), []);
            Assert.DoesNotContain(secret, full, StringComparison.Ordinal);
            Assert.Contains("Signature=REDACTED", full, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(1, 0, "1.0")]
    [InlineData(1, 1, "1.1")]
    [InlineData(2, 0, "2")] // the conventions write HTTP/2 as "2"
    [InlineData(3, 0, "3")]
    public void ProtocolVersion_Table_MatchesConventions(int major, int minor, string expected) =>
        Assert.Equal(expected, HttpClientConventions.ProtocolVersion(new Version(major, minor)));

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, "connection_error")]
    [InlineData(HttpRequestError.NameResolutionError, "name_resolution_error")]
    [InlineData(HttpRequestError.ResponseEnded, "response_ended")]
    [InlineData(HttpRequestError.Unknown, "System.Net.Http.HttpRequestException")] // no category: the type name
    public void ExceptionErrorType_HttpRequestError_SnakeCaseOrTypeName(HttpRequestError error, string expected) =>
        Assert.Equal(expected, HttpClientConventions.ExceptionErrorType(new HttpRequestException(error, "x"), timedOut: false));

    [Fact]
    public void ExceptionErrorType_TimedOutOrCanceled_ToldApart()
    {
        var canceled = new TaskCanceledException();
        Assert.Equal("timeout", HttpClientConventions.ExceptionErrorType(canceled, timedOut: true));
        Assert.Equal("System.Threading.Tasks.TaskCanceledException", HttpClientConventions.ExceptionErrorType(canceled, timedOut: false));
    }

    [Theory]
    [InlineData(400, "400")]
    [InlineData(503, "503")]
    [InlineData(418, "418")]
    public void StatusErrorType_Code_IsTheCodeAsText(int code, string expected) =>
        Assert.Equal(expected, SemanticConventions.StatusCodeText(code));
}
