using MultiRaft.Linearizability;

namespace MultiRaft.Linearizability.Tests;

/// <summary>Failing windows are minimal and the reports show them.</summary>
public sealed class ReportTests
{
    private static readonly VersionedRegisterModel Model = new();

    [Fact]
    public void Minimal_window_of_a_stale_read_is_the_read_and_the_write_it_missed()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        h.Get(2, 12, 14, "a", 1);
        var missed = h.Put(1, 20, 30, "b", 2);
        var stale = h.Get(2, 40, 50, "a", 1);
        h.Get(3, 60, 70, "b", 2);

        var window = WindowShrinker.Find(Model, h.Operations);

        Assert.NotNull(window);
        Assert.Equal([missed, stale], window.Operations);
        Assert.Equal(stale, window.Failing);
        Assert.Equal((20, 50), (window.Start, window.End));
        Assert.False(window.FromStart);
    }

    [Fact]
    public void Minimal_window_of_a_planted_stale_read_in_a_long_history_contains_the_read_and_the_write_it_missed()
    {
        var history = SimulatedRegister.Generate(seed: 7, clients: 5, operationsPerClient: 400, keys: 3);
        var (stale, planted) = GeneratedHistoryTests.PlantStaleRead(history);
        var result = LinearizabilityChecker.Check(planted);

        var window = Assert.Single(WindowShrinker.FindAll(planted, result));

        Assert.Equal(stale.Key, window.Key);
        Assert.Contains(stale, window.Operations);
        // The evidence that the read is stale: an operation that completed before it was invoked and
        // saw or wrote a newer version (the write it missed, or a read of that write).
        Assert.Contains(window.Operations, o => o.Outcome == Outcome.Ok && o.Output.Success
            && o.Output.Version > stale.Output.Version && o.InvokeTime <= stale.InvokeTime);
        Assert.False(window.FromStart);
        Assert.True(window.Operations.Count < 10, $"window of {window.Operations.Count} operations");
    }

    [Fact]
    public void Read_of_a_value_never_written_is_shown_from_the_start_of_the_history()
    {
        var h = new HistoryBuilder();
        var bogus = h.Get(1, 0, 10, "zzz", 9);
        h.Put(2, 20, 30, "b", 10);
        h.Get(1, 40, 50, "b", 10);

        var window = WindowShrinker.Find(Model, h.Operations);

        // From an arbitrary state the read would be fine: only the initial state convicts it.
        Assert.NotNull(window);
        Assert.True(window.FromStart);
        Assert.Equal([bogus], window.Operations);
        Assert.Equal(bogus, window.Failing);
        Assert.Equal((0, 10), (window.Start, window.End));
    }

    [Fact]
    public void Window_of_a_value_that_changed_without_a_write_starts_at_the_read_that_pinned_it()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        var pinned = h.Get(2, 20, 30, "a", 1);
        var bogus = h.Get(2, 40, 50, "zzz", 9);

        var window = WindowShrinker.Find(Model, h.Operations);

        Assert.NotNull(window);
        Assert.False(window.FromStart);
        Assert.Equal([pinned, bogus], window.Operations);
        Assert.Equal(bogus, window.Failing);
    }

    [Fact]
    public void Linearizable_history_has_no_window()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        h.Get(2, 20, 30, "a", 1);

        Assert.Null(WindowShrinker.Find(Model, h.Operations));
    }

    [Fact]
    public void Window_shows_a_failed_write_that_a_read_observed()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 1, "a", 1);
        var failed = h.PutFailed(1, 2, 3, "b");
        var read = h.Get(2, 10, 11, "b", 2);

        var window = WindowShrinker.Find(Model, h.Operations);

        Assert.NotNull(window);
        Assert.Equal(read, window.Failing);
        Assert.Contains(failed, window.Operations);
    }

    [Fact]
    public void Text_report_lists_the_window_and_marks_the_failing_operation()
    {
        var (result, windows) = StaleReadReport();

        var text = TextReport.Render(result, windows);

        Assert.Equal(
            """
            Linearizability: Illegal
              key x: Illegal, 3 operations, 18 steps

            Key x: minimal failing window [20, 50], 2 operations
            (checked from an arbitrary state; operations not wholly inside it count as unknown)
              #1 client 1 [20, 30] x: put(b) -> v2
              #2 client 2 [40, 50] x: get -> a@v1   <-- cannot be linearized
            Longest legal order in the window:
              #1 put(b) -> v2
            None of these fits next:
              #2 get -> a@v1

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Html_report_holds_an_svg_timeline_with_the_failing_operation_highlighted()
    {
        var (_, windows) = StaleReadReport();

        var html = HtmlReport.Render(windows[0]);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("</svg>", html, StringComparison.Ordinal);
        Assert.Contains("client 1</text>", html, StringComparison.Ordinal);
        Assert.Contains("client 2</text>", html, StringComparison.Ordinal);
        Assert.Contains("stroke=\"#c00000\"", html, StringComparison.Ordinal);
        Assert.Contains("#2 get -&gt; a@v1", html, StringComparison.Ordinal);
        Assert.Equal(html, HtmlReport.Render(StaleReadReport().Windows[0]));
    }

    [Fact]
    public void Report_writer_writes_the_text_and_one_page_per_failing_key()
    {
        var (result, windows) = StaleReadReport();
        var directory = Path.Combine(Path.GetTempPath(), $"lin-report-{Guid.NewGuid():N}");
        try
        {
            var paths = ReportWriter.Write(directory, result, windows);

            Assert.Equal(["linearizability.txt", "key-1.html"], paths.Select(Path.GetFileName));
            Assert.Equal(TextReport.Render(result, windows), File.ReadAllText(paths[0]));
            Assert.Contains("<svg", File.ReadAllText(paths[1]), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (CheckResult Result, IReadOnlyList<FailingWindow> Windows) StaleReadReport()
    {
        var h = new HistoryBuilder();
        h.Put(1, 0, 10, "a", 1);
        h.Put(1, 20, 30, "b", 2);
        h.Get(2, 40, 50, "a", 1);
        var result = h.Check();
        return (result, WindowShrinker.FindAll(h.Operations, result));
    }
}
