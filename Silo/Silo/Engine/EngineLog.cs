using Microsoft.Extensions.Logging;
using MultiRaft.Storage;

namespace MultiRaft.Silo.Engine;

internal static partial class EngineLog
{
    // Debug, as the role changes below: a silo holds thousands of replicas, and one line each at
    // start (plus one per role change) was 20,000 lines for a 10,000-replica restart, the console
    // logger's bounded queue making the start wait on them. The cluster logs a line per silo
    // start (5104, 5118) and the router's map shows every shard's leader.
    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "Replica {Replica} started at applied index {Applied} (snapshot {SnapshotIndex})")]
    public static partial void ReplicaStarted(ILogger logger, ReplicaId replica, ulong applied, ulong snapshotIndex);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Critical, Message = "Replica {Replica} stopped: {Reason}")]
    public static partial void ReplicaStopped(ILogger logger, ReplicaId replica, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Critical, Message = "Engine worker {Worker} failed; the silo stops (fail stop on storage faults)")]
    public static partial void WorkerFailed(ILogger logger, Exception exception, int worker);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Replica {Replica} saved a snapshot at {Index} and compacted to {CompactTo}")]
    public static partial void SnapshotSaved(ILogger logger, ReplicaId replica, ulong index, ulong compactTo);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Replica {Replica} installed a snapshot at {Index} from its leader")]
    public static partial void SnapshotInstalled(ILogger logger, ReplicaId replica, ulong index);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "Replica {Replica}: {Role} in term {Term}, leader {Lead}")]
    public static partial void RoleChanged(ILogger logger, ReplicaId replica, string role, ulong term, ulong lead);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "An operation on replica {Replica} threw")]
    public static partial void OperationFailed(ILogger logger, Exception exception, ReplicaId replica);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Engine, last 10 s: {Turns} turns, {DurableWaits} fsync batches, {Entries} entries persisted ({PerBatch:F1} per batch), {Applied} applied, {Messages} Raft messages in {Calls} Orleans calls ({PerCall:F1} per call)")]
    public static partial void Batching(ILogger logger, long turns, long durableWaits, long entries, long applied, long messages, double perBatch,
        long calls, double perCall);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "GC, last 10 s: {Gen0} gen0, {Gen1} gen1, {Gen2} gen2 collections, {PauseMs:F0} ms paused; heap {HeapMiB} MiB")]
    public static partial void Collections(ILogger logger, int gen0, int gen1, int gen2, double pauseMs, long heapMiB);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Error, Message = "Replica {Replica} produced a {Type} message that cannot be sent")]
    public static partial void Unsendable(ILogger logger, Exception exception, ReplicaId replica, string type);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "Silo {Silo} {Change}: waking the quiesced replicas that depend on it")]
    public static partial void PeerChanged(ILogger logger, string silo, string change);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Sending this silo's liveness beats failed")]
    public static partial void BeatsFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Replica {Replica} removed from this silo")]
    public static partial void ReplicaRemoved(ILogger logger, ReplicaId replica);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Information, Message = "The silo is quiet: compacted the heap ({FragmentedMiB} MiB of it free) from {BeforeMiB} MiB to {AfterMiB} MiB in {Milliseconds} ms")]
    public static partial void HeapCompacted(ILogger logger, long fragmentedMiB, long beforeMiB, long afterMiB, long milliseconds);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Debug, Message = "Freeing the log's oldest file: {Relocated} replicas write their live entries again at its head, {Snapshots} take a snapshot")]
    public static partial void Relocating(ILogger logger, int relocated, int snapshots);
}
