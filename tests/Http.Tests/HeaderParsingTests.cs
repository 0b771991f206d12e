namespace MultiRaft.Http.Tests;

public sealed class HeaderParsingTests
{
    [Theory]
    [InlineData("\"0\"", 0UL)]
    [InlineData("\"42\"", 42UL)]
    [InlineData(" \"18446744073709551615\" ", ulong.MaxValue)]
    public void Strong_etag_parses(string header, ulong expected)
    {
        Assert.True(Conditions.TryParseETag(header, out var version));
        Assert.Equal(expected, version);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("W/\"42\"")]
    [InlineData("\"\"")]
    [InlineData("\"4 2\"")]
    [InlineData("\"+4\"")]
    [InlineData("\"18446744073709551616\"")]
    [InlineData("\"1\", \"2\"")]
    [InlineData(null)]
    public void Anything_else_is_refused(string? header) => Assert.False(Conditions.TryParseETag(header, out _));

    [Fact]
    public void Etag_quotes_the_decimal_version() => Assert.Equal("\"17\"", Conditions.ETag(17));

    [Theory]
    [InlineData("abc", new byte[] { 0x61, 0x62, 0x63 })]
    [InlineData("a%2fb", new byte[] { 0x61, 0x2F, 0x62 })]
    [InlineData("%C3%A9%FF", new byte[] { 0xC3, 0xA9, 0xFF })]
    [InlineData("%41%2F%2f", new byte[] { 0x41, 0x2F, 0x2F })]
    [InlineData("100%25", new byte[] { 0x31, 0x30, 0x30, 0x25 })]
    [InlineData("%25zz", new byte[] { 0x25, 0x7A, 0x7A })]
    [InlineData("", new byte[0])]
    public void Percent_decoding_yields_raw_bytes(string text, byte[] expected)
    {
        Assert.True(KeyPath.TryPercentDecode(text, out var decoded));
        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData("%zz")]
    [InlineData("%4")]
    [InlineData("a%4")]
    [InlineData("a%")]
    [InlineData("%")]
    [InlineData("100%")]
    [InlineData("%g0")]
    [InlineData("%0g")]
    [InlineData("%41%zz")]
    [InlineData("%%41")]
    public void Broken_percent_encoding_is_refused(string text)
    {
        Assert.False(KeyPath.TryPercentDecode(text, out var decoded));
        Assert.Empty(decoded);
    }
}
