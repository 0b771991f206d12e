namespace MultiRaft.Silo.Engine;

/// <summary>The garbage collector's counters at one moment, for the engine's periodic stats line.</summary>
internal readonly record struct GcFigures(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long HeapBytes)
{
    public static GcFigures Now() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalMemory(false));

    public GcFigures Minus(GcFigures earlier) =>
        new(Gen0 - earlier.Gen0, Gen1 - earlier.Gen1, Gen2 - earlier.Gen2, Pause - earlier.Pause, HeapBytes);
}
