using Google.Protobuf;
using MultiRaft.Grains.Interfaces.Protos;

namespace MultiRaft.Grains.Interfaces;

/// <summary>
/// How a Protocol Buffers message crosses an Orleans call: its own encoding, as bytes. The
/// messages keep one wire format (the router's log stores the same descriptors), and Orleans
/// needs no second description of them.
/// </summary>
[GenerateSerializer]
public struct ProtoSurrogate
{
    /// <summary>The message's Protocol Buffers encoding.</summary>
    [Id(0)]
    public byte[] Data;
}

/// <summary>Converts one message type to and from <see cref="ProtoSurrogate"/>; one sealed subclass per type crossing Orleans.</summary>
public abstract class ProtoConverter<T> : IConverter<T, ProtoSurrogate>
    where T : IMessage<T>, new()
{
    private static readonly MessageParser<T> Parser = new(() => new T());

    /// <inheritdoc />
    public T ConvertFromSurrogate(in ProtoSurrogate surrogate) => Parser.ParseFrom(surrogate.Data ?? []);

    /// <inheritdoc />
    public ProtoSurrogate ConvertToSurrogate(in T value) => new() { Data = value.ToByteArray() };
}

/// <summary>Orleans converter for <see cref="ClientResponse"/>.</summary>
[RegisterConverter]
public sealed class ClientResponseConverter : ProtoConverter<ClientResponse>;

/// <summary>Orleans converter for <see cref="ClientRequest"/> (what <see cref="ISiloGrain.Serve"/> takes).</summary>
[RegisterConverter]
public sealed class ClientRequestConverter : ProtoConverter<ClientRequest>;

/// <summary>Orleans converter for <see cref="GetRequest"/>.</summary>
[RegisterConverter]
public sealed class GetRequestConverter : ProtoConverter<GetRequest>;

/// <summary>Orleans converter for <see cref="WriteRequest"/>.</summary>
[RegisterConverter]
public sealed class WriteRequestConverter : ProtoConverter<WriteRequest>;

/// <summary>Orleans converter for <see cref="ScanRequest"/>.</summary>
[RegisterConverter]
public sealed class ScanRequestConverter : ProtoConverter<ScanRequest>;

/// <summary>Orleans converter for <see cref="OpenSessionRequest"/>.</summary>
[RegisterConverter]
public sealed class OpenSessionRequestConverter : ProtoConverter<OpenSessionRequest>;

/// <summary>Orleans converter for <see cref="TransferLeaderRequest"/>.</summary>
[RegisterConverter]
public sealed class TransferLeaderRequestConverter : ProtoConverter<TransferLeaderRequest>;

/// <summary>Orleans converter for <see cref="ScaleInRequest"/>.</summary>
[RegisterConverter]
public sealed class ScaleInRequestConverter : ProtoConverter<ScaleInRequest>;

/// <summary>Orleans converter for <see cref="SplitShardRequest"/>.</summary>
[RegisterConverter]
public sealed class SplitShardRequestConverter : ProtoConverter<SplitShardRequest>;

/// <summary>Orleans converter for <see cref="SiloInfo"/>.</summary>
[RegisterConverter]
public sealed class SiloInfoConverter : ProtoConverter<SiloInfo>;
