using System.Globalization;

namespace MultiRaft.Linearizability;

/// <summary>One recorded client operation on one key.</summary>
/// <param name="Id">Unique within a history; used to name the operation in reports.</param>
/// <param name="ClientId">The client that issued it; a client has at most one operation outstanding.</param>
/// <param name="Key">The key it touched; the history is checked per key.</param>
/// <param name="Input">The request.</param>
/// <param name="Output">The answer; meaningful only when <paramref name="Outcome"/> is Ok.</param>
/// <param name="Outcome">Ok, Failed or Unknown.</param>
/// <param name="InvokeTime">When the client sent it (any monotonic unit), no later than the real send.</param>
/// <param name="ReturnTime">When the client got the answer; ignored for Unknown operations.</param>
public sealed record Operation(
    int Id,
    int ClientId,
    string Key,
    KvInput Input,
    KvOutput Output,
    Outcome Outcome,
    long InvokeTime,
    long ReturnTime)
{
    /// <summary>A short label: input, then output or outcome, e.g. <c>put(a) -> v3</c>.</summary>
    public string Label => $"{Input} {ResultText}";

    /// <summary>The answer part of <see cref="Label"/>.</summary>
    public string ResultText => Outcome switch
    {
        Outcome.Failed => "failed",
        Outcome.Unknown => "unknown",
        _ => Input.Kind switch
        {
            OperationKind.Get => Output.Success ? $"-> {Output.Value}@v{Num(Output.Version)}" : "-> not found",
            OperationKind.Delete => Output.Success ? "-> deleted" : "-> not found",
            OperationKind.Put => $"-> v{Num(Output.Version)}",
            _ => Output.Success ? $"-> v{Num(Output.Version)}" : "-> rejected",
        },
    };

    /// <inheritdoc />
    public override string ToString()
    {
        var end = Outcome == Outcome.Unknown ? "?" : Num(ReturnTime);
        return $"#{Num(Id)} client {Num(ClientId)} [{Num(InvokeTime)}, {end}] {Key}: {Label}";
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
