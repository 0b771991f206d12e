namespace MultiRaft.Client.Tests;

public static class Timeouts
{
    /// <summary>A bound on waits that should finish at once: only a hang reaches it.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
}

public static class DeadlineTests
{
    /// <summary>
    /// The request timeout of tests whose point is the deadline: long enough that connecting,
    /// fetching the view and opening a session fit in it on a loaded machine, short enough to keep
    /// the run quick (retries are 1-10 ms apart, so many attempts fit).
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
}
