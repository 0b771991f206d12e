namespace MultiRaft.LoadGen;

/// <summary>What one load run does; validated by <see cref="Validate"/>.</summary>
public sealed record LoadOptions
{
    /// <summary>HTTP base URLs of silos; client i talks to <c>Urls[i % Urls.Count]</c>. Unused when <see cref="Orleans"/> is set.</summary>
    public IReadOnlyList<Uri> Urls { get; init; } = [new Uri("http://127.0.0.1:8080/")];

    /// <summary>When set, the load goes through the Orleans client to these gateways instead of over HTTP.</summary>
    public OrleansTargetOptions? Orleans { get; init; }

    /// <summary>The target's name in the report: <c>http</c> or <c>orleans</c>.</summary>
    public string TargetName => Orleans is null ? "http" : "orleans";

    /// <summary>Concurrent closed-loop clients: each waits for its answer before the next request.</summary>
    public int Clients { get; init; } = 64;

    /// <summary>Keys are <c>key%08d</c> drawn uniformly from 1..Keys (the shape of the etcd wrk scripts).</summary>
    public int Keys { get; init; } = 100_000;

    /// <summary>Bytes in each written value.</summary>
    public int ValueSize { get; init; } = 100;

    /// <summary>Fraction of requests that are reads (GET); the rest are writes (PUT).</summary>
    public double ReadRatio { get; init; }

    /// <summary>How long results are recorded.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long load runs before recording starts.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Seeds each client's choice of operation and key (client i uses Seed + i).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Per-request timeout; a request that takes longer counts as an error "timeout".</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When set, each client stops after this many requests (warmup included) even if time remains.</summary>
    public int? RequestsPerClient { get; init; }

    /// <summary>Problems with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Orleans is not null)
        {
            problems.AddRange(Orleans.Validate());
        }
        else if (Urls.Count == 0)
        {
            problems.Add("at least one --url is needed");
        }

        foreach (var url in Orleans is null ? Urls : [])
        {
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                problems.Add($"--url {url} is not an absolute http(s) URL");
            }
        }

        if (Clients < 1)
        {
            problems.Add("--clients must be at least 1");
        }

        if (Keys < 1 || Keys > 99_999_999)
        {
            problems.Add("--keys must be between 1 and 99999999");
        }

        if (ValueSize < 0)
        {
            problems.Add("--value-size must not be negative");
        }

        if (double.IsNaN(ReadRatio) || ReadRatio < 0 || ReadRatio > 1)
        {
            problems.Add("--read-ratio must be between 0 and 1");
        }

        if (Duration <= TimeSpan.Zero)
        {
            problems.Add("--duration must be positive");
        }

        if (Warmup < TimeSpan.Zero)
        {
            problems.Add("--warmup must not be negative");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add("--timeout must be positive");
        }

        if (RequestsPerClient is < 1)
        {
            problems.Add("--requests must be at least 1");
        }

        return problems;
    }
}
