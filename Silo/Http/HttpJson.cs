using System.Text.Json.Serialization;

namespace MultiRaft.Http;

/// <summary>The body of every error answer: <c>{"error": "..."}</c>, plus <c>applied</c> on a 504.</summary>
internal sealed record ErrorBody(
    string Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Applied = null);

/// <summary>One scan result. Key and value are UTF-8 text, or both base64 when <see cref="Encoding"/> says so.</summary>
internal sealed record ScanItem(
    string Key,
    string Value,
    ulong Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Encoding = null);

/// <summary>The body of <c>POST /cluster/shards/{id}/transfer-leader</c>.</summary>
internal sealed record TransferLeaderBody(string? To);

/// <summary>The answer to a completed leadership transfer.</summary>
internal sealed record TransferLeaderResult(ulong Shard, string Leader);

/// <summary>The body of <c>POST /cluster/shards/{id}/split</c> (optional): the hash to split at; absent = the middle of the range.</summary>
internal sealed record SplitBody(ulong? At);

/// <summary>The answer to a split: the shard and the new shard as the router's map has them.</summary>
internal sealed record SplitResult(ShardJson Shard, ShardJson NewShard);

/// <summary>The answer to <c>POST /cluster/silos/{id}/drain</c>: the data replicas the silo still holds.</summary>
internal sealed record DrainResult(string Silo, string Status, int ReplicasLeft);

/// <summary>The answer to <c>DELETE /cluster/silos/{id}/drain</c>.</summary>
internal sealed record UndrainResult(string Silo, string Status);

/// <summary>
/// The System.Text.Json source-generated metadata for every body the API reads or writes:
/// no reflection at run time, camelCase names.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(ScanItem[]))]
[JsonSerializable(typeof(TransferLeaderBody))]
[JsonSerializable(typeof(TransferLeaderResult))]
[JsonSerializable(typeof(DrainResult))]
[JsonSerializable(typeof(UndrainResult))]
[JsonSerializable(typeof(SplitBody))]
[JsonSerializable(typeof(SplitResult))]
[JsonSerializable(typeof(ClusterJson))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
