namespace MultiRaft.Cli.Tests;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("h:1", new[] { "h:1" })]
    [InlineData("h", new[] { "h:30000" })]
    [InlineData("a:1, b:65535", new[] { "a:1", "b:65535" })]
    [InlineData("[::1]", new[] { "[::1]:30000" })]
    [InlineData("[::1]:5", new[] { "[::1]:5" })]
    public void Endpoints_parse_with_the_default_port(string text, string[] expected)
    {
        Assert.True(EndpointList.TryParse(text, out var endpoints, out _));
        Assert.Equal(expected, endpoints);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h:0")]
    [InlineData("h:65536")]
    [InlineData("h:")]
    [InlineData(":1")]
    [InlineData("::1")]
    [InlineData("[::1]x")]
    [InlineData("a b:1")]
    [InlineData("a:1,")]
    public void Malformed_endpoints_are_refused(string text)
    {
        Assert.False(EndpointList.TryParse(text, out _, out var error));
        Assert.NotEqual("", error);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5000)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5", 1500)]
    public void Durations_parse(string text, int milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("5h")]
    [InlineData("ms")]
    [InlineData("2d")]
    public void Bad_durations_are_refused(string text) => Assert.False(Durations.TryParse(text, out _));
}
