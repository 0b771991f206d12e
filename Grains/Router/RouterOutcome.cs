namespace MultiRaft.Grains.Router;

/// <summary>What applying one router command did.</summary>
public enum RouterOutcome
{
    /// <summary>The command changed the state (or was already in effect).</summary>
    Applied,

    /// <summary>The command was refused; the state is unchanged and the result carries a reason.</summary>
    Refused,

    /// <summary>The command named a silo the router does not know; the state is unchanged.</summary>
    UnknownSilo,
}
