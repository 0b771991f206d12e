using MultiRaft.Grains.Interfaces.Protos;
using MultiRaft.Grains.Kv;

namespace MultiRaft.Silo.Requests;

/// <summary>Builders of gateway answers.</summary>
internal static class Responses
{
    public static ClientResponse Status(ResponseStatus status, string error = "") => new() { Status = status, Error = error };

    public static ClientResponse Ok(ulong version = 0) => new() { Status = ResponseStatus.Ok, Version = version };

    public static ClientResponse FromKv(KvResult result) => result.Status switch
    {
        KvStatus.Ok => Ok(result.Version),
        KvStatus.NotFound => new ClientResponse { Status = ResponseStatus.NotFound },
        KvStatus.PreconditionFailed => new ClientResponse { Status = ResponseStatus.PreconditionFailed, Version = result.Version },
        KvStatus.StaleRequest => Status(ResponseStatus.StaleRequest, "the sequence is older than the session's last"),
        KvStatus.SessionExpired => Status(ResponseStatus.SessionExpired, "the session expired; open a new one"),
        KvStatus.WrongShard => Status(ResponseStatus.StaleEpoch, "the key moved to another shard (split); refresh the routing and retry"),
        _ => Status(ResponseStatus.Internal, $"unknown result {result.Status}"),
    };
}
