namespace MultiRaft.Raft.Simulation.Tests.Harness;

/// <summary>A message in flight, with the incarnation of its sender (to report snapshot outcomes).</summary>
public readonly record struct Envelope(Message Message, long DeliverAt, int SenderIncarnation);
