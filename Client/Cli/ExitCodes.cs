namespace MultiRaft.Cli;

/// <summary>The tool's exit codes: scripts branch on these, so they never change meaning.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The key, silo or shard is absent, a condition (version, absence) did not hold, or the cluster refused an operator request.</summary>
    public const int NotFoundOrPreconditionFailed = 1;

    /// <summary>The command line (or a request the cluster refused as malformed) is wrong.</summary>
    public const int Usage = 2;

    /// <summary>No gateway or no quorum within the timeout; nothing was written.</summary>
    public const int Unavailable = 3;

    /// <summary>A write may or may not have applied.</summary>
    public const int OutcomeUnknown = 4;

    /// <summary>Anything else (an internal error reported by the cluster).</summary>
    public const int Failed = 5;
}
