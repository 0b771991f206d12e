namespace MultiRaft.Silo.Hosting;

/// <summary>The silo's command-line flags, each a shorthand for a <c>MultiRaft:*</c> setting.</summary>
internal static class SiloCommandLine
{
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--silo-id"] = "MultiRaft:SiloId",
        ["--host"] = "MultiRaft:Host",
        ["--listen"] = "MultiRaft:Listen",
        ["--silo-port"] = "MultiRaft:SiloPort",
        ["--gateway-port"] = "MultiRaft:GatewayPort",
        ["--http-port"] = "MultiRaft:HttpPort",
        ["--data-dir"] = "MultiRaft:DataDirectory",
        ["--storage"] = "MultiRaft:Storage",
        ["--postgres"] = "MultiRaft:PostgresConnectionString",
        ["--postgres-schema"] = "MultiRaft:PostgresSchema",
        ["--cluster-id"] = "MultiRaft:ClusterId",
        ["--service-id"] = "MultiRaft:ServiceId",
        ["--clustering"] = "MultiRaft:Clustering",
        ["--join"] = "MultiRaft:Join",
        ["--bootstrap"] = "MultiRaft:Bootstrap",
        ["--shards"] = "MultiRaft:InitialShards",
        ["--workers"] = "MultiRaft:Workers",
        ["--tick-ms"] = "MultiRaft:TickMs",
        ["--quiesce-ticks"] = "MultiRaft:QuiesceTicks",
        ["--down-time-ms"] = "MultiRaft:DownTimeMs",
        ["--max-moves-per-silo"] = "MultiRaft:MaxMovesPerSilo",
        ["--balance-leaders"] = "MultiRaft:BalanceLeaders",
        ["--split-keys"] = "MultiRaft:SplitKeys",
        ["--split-bytes"] = "MultiRaft:SplitBytes",
        ["--unsafe-local-reads"] = "MultiRaft:UnsafeLocalReads",
        ["--snapshot-chunk-bytes"] = "MultiRaft:SnapshotChunkBytes",
        ["--snapshot-bytes-per-second"] = "MultiRaft:SnapshotBytesPerSecond",
    };

    public const string Usage = """
        MultiRaft silo. Settings come from appsettings.json (section MultiRaft), environment
        variables (MultiRaft__SiloId=...) and these flags:
          --silo-id ID          this silo's unique, stable name (required)
          --host IP             address other silos and clients reach this silo at (default 127.0.0.1)
          --listen IP           address to listen on (default 127.0.0.1; 0.0.0.0 for all)
          --silo-port N         Orleans silo-to-silo port (default 11111)
          --gateway-port N      Orleans client gateway port (default 30000)
          --http-port N         HTTP API port (default 8080)
          --data-dir DIR        file WAL directory (default ./data)
          --storage file|postgres   storage provider (default file)
          --postgres CONN       Npgsql connection string for postgres storage and clustering
          --postgres-schema S   schema for the logs in PostgreSQL (default multiraft)
          --cluster-id ID       Orleans cluster id (default multiraft-dev)
          --service-id ID       Orleans service id (default multiraft)
          --clustering localhost|postgres
                                how silos find each other (default localhost: development
                                clustering, the first silo holds the membership table;
                                postgres: Orleans ADO.NET clustering on --postgres)
          --join IP:PORT        localhost clustering: the first silo's --silo-port endpoint
                                (omit on the first silo, which starts the cluster)
          --bootstrap true      start a new cluster if this silo's storage is empty (postgres
                                clustering: on exactly one silo of a new cluster)
          --shards N            data shards of a new cluster (default 16)
          --workers N           engine workers (default: one per core)
          --quiesce-ticks N     an idle shard stops ticking and heartbeating after N ticks
                                with nothing written or read (default 1; 0: never)
          --down-time-ms N      a silo silent this long has its data replicas replaced on
                                other silos (default 30000; at once if Orleans declares it dead)
          --max-moves-per-silo N  replicas the balancer moves into one silo at a time (default 2)
          --balance-leaders true|false  spread shard leaderships evenly over the silos (default true)
          --split-keys N        split a shard past N keys (default 1000000; 0: never)
          --split-bytes N       split a shard past N bytes of keys and values (default 67108864; 0: never)
                                (these five are the router leader's: give every silo the same)
          --snapshot-chunk-bytes N  larger snapshots go to a follower in pieces of N bytes
                                (default 1048576; 1024..67108864)
          --snapshot-bytes-per-second N  pace of this silo's snapshot pieces, all followers
                                together (default 67108864; 0: unpaced)
        """;
}
