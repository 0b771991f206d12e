namespace MultiRaft.LoadGen;

/// <summary>The two kinds of request the load generator sends.</summary>
public enum OpKind
{
    /// <summary><c>PUT /kv/{key}</c> with the value as the raw body; 204 is success.</summary>
    Write,

    /// <summary><c>GET /kv/{key}</c>; 200 and 404 (never written) are success.</summary>
    Read,
}
