namespace MultiRaft.Client.Tests;

public static class Timeouts
{
    /// <summary>A bound on waits that should finish at once: only a hang reaches it.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
}

public static class DeadlineTests
{
    /// <summary>
    /// The request timeout of tests whose point is the deadline. Every answer is scripted in
    /// memory, so the budget only has to hold the few attempts a script makes before it lets the
    /// deadline pass (1-10 ms of backoff apart) on a loaded machine; each such test waits it out once.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
}
