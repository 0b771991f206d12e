namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>An invariant broke, or the run could not make the progress it had to.</summary>
public sealed class SimulationFailure : Exception
{
    public SimulationFailure(string message)
        : base(message)
    {
    }

    public SimulationFailure(string message, Exception inner)
        : base(message, inner)
    {
    }

    public SimulationFailure()
    {
    }
}
