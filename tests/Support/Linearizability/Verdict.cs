namespace MultiRaft.Linearizability;

/// <summary>The checker's answer for a key or a whole history.</summary>
public enum Verdict
{
    /// <summary>Linearizable: a legal order was found.</summary>
    Ok,

    /// <summary>Not linearizable: every order was tried and none is legal.</summary>
    Illegal,

    /// <summary>
    /// The budget ran out before an answer. Callers must treat this as a failure, never as a pass:
    /// a checker that gives up has proven nothing.
    /// </summary>
    TimedOut,
}
