namespace MultiRaft.Linearizability;

/// <summary>What the client learned about an operation's fate.</summary>
public enum Outcome
{
    /// <summary>The store answered; the output is what it answered.</summary>
    Ok,

    /// <summary>The operation definitely did not take effect (rejected before it could be applied).</summary>
    Failed,

    /// <summary>
    /// No answer (timeout, lost connection): it may or may not have taken effect, now or at any
    /// later time. The checker treats it as pending until the end of the history.
    /// </summary>
    Unknown,
}
