using System.CommandLine;

namespace MultiRaft.LoadGen;

/// <summary>The command line: its options, and the <see cref="LoadOptions"/> a parse of it binds to.</summary>
public sealed class LoadGenCommand
{
    private readonly Option<string[]> _urls = new("--url")
    {
        Description = "HTTP base URL of a silo; repeat or list several (clients are spread round-robin; default http://127.0.0.1:8080)",
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string?> _orleans = new("--orleans")
    {
        Description = "go through the Orleans client instead of HTTP, to these gateways: HOST:PORT[,HOST:PORT...]",
    };

    private readonly Option<string?> _clusterId = new("--cluster-id") { Description = "Orleans cluster id, with --orleans (default multiraft-dev)" };
    private readonly Option<string?> _serviceId = new("--service-id") { Description = "Orleans service id, with --orleans (default multiraft)" };
    private readonly Option<int> _clients = new("--clients") { Description = "concurrent closed-loop clients", DefaultValueFactory = _ => 64 };
    private readonly Option<int> _keys = new("--keys") { Description = "key space: keys key%08d drawn from 1..KEYS", DefaultValueFactory = _ => 100_000 };
    private readonly Option<int> _valueSize = new("--value-size") { Description = "bytes per written value", DefaultValueFactory = _ => 100 };
    private readonly Option<double> _readRatio = new("--read-ratio") { Description = "fraction of requests that are reads, 0..1", DefaultValueFactory = _ => 0.0 };
    private readonly Option<double> _duration = new("--duration") { Description = "measured seconds", DefaultValueFactory = _ => 10.0 };
    private readonly Option<double> _warmup = new("--warmup") { Description = "seconds of load before measuring", DefaultValueFactory = _ => 2.0 };
    private readonly Option<int> _seed = new("--seed") { Description = "seed of each client's key and operation choice", DefaultValueFactory = _ => 1 };
    private readonly Option<double> _timeout = new("--timeout") { Description = "per-request timeout in seconds", DefaultValueFactory = _ => 10.0 };
    private readonly Option<int?> _requests = new("--requests") { Description = "stop each client after this many requests (optional)" };
    private readonly Option<bool> _json = new("--json") { Description = "print the result as one JSON object" };

    /// <summary>Creates the command and its options.</summary>
    public LoadGenCommand()
    {
        Root = new RootCommand("Closed-loop load generator for MultiRaft: PUT/GET /kv/{key} over HTTP, or PutAsync/GetAsync through the Orleans client.")
        {
            _urls, _orleans, _clusterId, _serviceId, _clients, _keys, _valueSize, _readRatio, _duration, _warmup, _seed, _timeout, _requests, _json,
        };
    }

    /// <summary>The root command; give it an action and parse with it.</summary>
    public RootCommand Root { get; }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue(_json);
    }

    /// <summary>Binds a parse to <paramref name="options"/>; returns every problem with it, empty when it is usable.</summary>
    public IReadOnlyList<string> Bind(ParseResult parse, out LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var problems = new List<string>();
        var urlTexts = parse.GetValue(_urls) ?? [];
        var orleansText = parse.GetValue(_orleans);
        var clusterId = parse.GetValue(_clusterId);
        var serviceId = parse.GetValue(_serviceId);
        if (urlTexts.Length != 0 && orleansText is not null)
        {
            problems.Add("--url and --orleans are mutually exclusive: the load goes over HTTP or through the Orleans client, not both");
        }

        if (orleansText is null && (clusterId is not null || serviceId is not null))
        {
            problems.Add("--cluster-id and --service-id apply only with --orleans");
        }

        var urls = new List<Uri>();
        foreach (var text in urlTexts)
        {
            // A base URL without a trailing slash would make "kv/..." replace its last path segment.
            if (Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri))
            {
                urls.Add(uri);
            }
            else
            {
                problems.Add($"--url {text} is not an absolute URL");
            }
        }

        options = new LoadOptions
        {
            Clients = parse.GetValue(_clients),
            Keys = parse.GetValue(_keys),
            ValueSize = parse.GetValue(_valueSize),
            ReadRatio = parse.GetValue(_readRatio),
            Duration = TimeSpan.FromSeconds(parse.GetValue(_duration)),
            Warmup = TimeSpan.FromSeconds(parse.GetValue(_warmup)),
            Seed = parse.GetValue(_seed),
            RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(_timeout)),
            RequestsPerClient = parse.GetValue(_requests),
        };
        if (urls.Count != 0)
        {
            options = options with { Urls = urls };
        }

        if (orleansText is not null)
        {
            var orleans = new OrleansTargetOptions { Gateways = orleansText.Split(',', StringSplitOptions.TrimEntries) };
            options = options with
            {
                Orleans = orleans with { ClusterId = clusterId ?? orleans.ClusterId, ServiceId = serviceId ?? orleans.ServiceId },
            };
        }

        problems.AddRange(options.Validate());
        return problems;
    }
}
