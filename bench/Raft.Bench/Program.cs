using System.Diagnostics;
using MultiRaft.Raft;
using MultiRaft.Raft.Bench;

// One 3-member group on in-memory storage and network, one thread: committed proposals per
// second with 16-byte payloads, and bytes allocated per committed entry.
//   dotnet run -c Release --project bench/Raft.Bench [-- seconds batch]
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
var batch = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 256;
var payload = new byte[16];

var group = new InMemoryGroup(3);
group.Elect();
var leader = group.Leader;

void Run(TimeSpan duration)
{
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed < duration)
    {
        for (var i = 0; i < batch; i++)
        {
            if (leader.Propose(payload) != ProposalResult.Accepted)
            {
                throw new InvalidOperationException("proposal refused");
            }
        }

        group.Settle();
    }
}

Run(TimeSpan.FromSeconds(Math.Min(2, seconds / 2))); // warm-up: JIT tiers, steady sizes
var startEntries = group.AppliedEntries;
GC.Collect();
var alloc0 = GC.GetAllocatedBytesForCurrentThread();
var gc0 = GC.CollectionCount(0);
var t = Stopwatch.StartNew();
Run(TimeSpan.FromSeconds(seconds));
t.Stop();
var alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
var entries = group.AppliedEntries - startEntries;
Console.WriteLine($"raft-core: 3 members, in-memory, 1 thread, 16-byte payloads, {batch} proposals per round");
Console.WriteLine($"  committed entries   {entries:N0} in {t.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"  throughput          {entries / t.Elapsed.TotalSeconds:N0} committed proposals/s (target >= 1,000,000)");
Console.WriteLine($"  allocated           {(double)alloc / entries:F1} bytes per committed entry (target < 100)");
Console.WriteLine($"  gen0 collections    {GC.CollectionCount(0) - gc0}");
