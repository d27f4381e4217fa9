namespace Traceline.Tests.Activities;

public sealed class SourceFilterTests
{
    [Theory]
    [InlineData("Npgsql", "Npgsql", true)]
    [InlineData("npgsql", "Npgsql", true)]
    [InlineData("Npgsql", "Npgsql.Extra", false)]
    [InlineData("MyCompany.*", "MyCompany.Billing", true)]
    [InlineData("MyCompany.*", "MyCompany.Billing.Invoices", true)]
    [InlineData("MyCompany.*", "MyCompany", false)]
    [InlineData("MyCompany*", "MyCompany", true)]
    [InlineData("*", "Anything.At.All", true)]
    [InlineData("*.Client", "Grpc.Net.Client", true)]
    [InlineData("*.Client", "Grpc.Net.Client.Extra", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("**", "x", true)]
    public void Glob_Patterns_MatchAsWritten(string pattern, string name, bool expected) =>
        Assert.Equal(expected, SourceFilter.Glob(pattern, name));

    [Theory]
    [InlineData("System.Net.Http")]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("")]
    public void Matches_ExcludedSource_NeverEvenByStar(string name) =>
        Assert.False(new SourceFilter(["*", name]).Matches(name));

    [Fact]
    public void Matches_RuntimeConnectionSources_ByStar() =>
        Assert.True(new SourceFilter(["*"]).Matches("Experimental.System.Net.Http.Connections"));

    [Fact]
    public void Constructor_BlankAndRepeatedNames_Ignored()
    {
        var filter = new SourceFilter([" ", "A", "a", " B "]);
        Assert.Equal(["A", "B"], filter.Patterns);
    }
}
