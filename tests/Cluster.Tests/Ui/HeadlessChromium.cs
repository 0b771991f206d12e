using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace MultiRaft.Cluster.Tests.Ui;

/// <summary>
/// A real headless Chromium (Debian's <c>chromium</c> package) showing one page, driven over the
/// DevTools protocol on a loopback WebSocket with nothing but the BCL: evaluate JavaScript in the
/// page, take a screenshot. The page runs in real time (no virtual time budget), so a page that
/// polls every second behaves as in a person's browser.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Set to a Chromium or Chrome executable to use it instead of the first one found on the usual paths.</summary>
    public const string Variable = "MULTIRAFT_CHROMIUM";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser to run: <see cref="Variable"/>, else Debian's <c>chromium</c> (or another Chromium/Chrome on PATH), else null.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" }
            .SelectMany(name => path.Append("/usr/bin").Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Starts <paramref name="executable"/> headless with a fresh profile, a window of the given size, and opens <paramref name="url"/>.</summary>
    public static async Task<HeadlessChromium> StartAsync(string executable, Uri url, int width = 1400, int height = 900)
    {
        var profile = Directory.CreateTempSubdirectory("multiraft-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                     "--hide-scrollbars", "--mute-audio", $"--window-size={width},{height}", $"--user-data-dir={profile}",
                     "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + executable);
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync().ConfigureAwait(false);
            await browser.SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }).ConfigureAwait(false);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (promises awaited) and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var answer = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        }).ConfigureAwait(false);
        if (answer?["exceptionDetails"] is { } error)
        {
            throw new InvalidOperationException("the page threw: " + error.ToJsonString());
        }

        return answer?["result"]?["value"];
    }

    /// <summary>A PNG of the page as it is now.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var answer = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true })
            .ConfigureAwait(false);
        return Convert.FromBase64String(answer?["data"]?.GetValue<string>() ?? throw new InvalidOperationException("no screenshot data"));
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or stuck: nothing more to do from a test.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying child; the temporary directory is harmless.
        }
    }

    // Chromium prints "DevTools listening on ws://127.0.0.1:<port>/devtools/browser/<id>" on stderr;
    // the page's own endpoint is listed by /json/list on that port.
    private async Task ConnectAsync()
    {
        _ = _process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new StringBuilder();
        Uri? browserEndpoint = null;
        while (browserEndpoint is null)
        {
            var line = await _process.StandardError.ReadLineAsync(deadline.Token).ConfigureAwait(false)
                       ?? throw new InvalidOperationException("Chromium exited before it listened for DevTools:\n" + seen);
            seen.AppendLine(line);
            const string Marker = "DevTools listening on ";
            var at = line.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                browserEndpoint = new Uri(line[(at + Marker.Length)..].Trim());
            }
        }

        // Keep draining stderr so that Chromium never blocks on a full pipe.
        _ = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is not null)
            {
            }
        });

        using var http = new HttpClient { BaseAddress = new Uri($"http://{browserEndpoint.Authority}/"), Timeout = TimeSpan.FromSeconds(10) };
        string? pageEndpoint = null;
        while (pageEndpoint is null)
        {
            var targets = await http.GetFromJsonAsync<JsonArray>("json/list", deadline.Token).ConfigureAwait(false);
            pageEndpoint = targets?.FirstOrDefault(t => t?["type"]?.GetValue<string>() == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (pageEndpoint is null)
            {
                await Task.Delay(100, deadline.Token).ConfigureAwait(false);
            }
        }

        await _socket.ConnectAsync(new Uri(pageEndpoint), deadline.Token).ConfigureAwait(false);
    }

    // One command at a time: send it, then read messages (skipping events) until its answer.
    private async Task<JsonNode?> SendAsync(string method, JsonObject parameters)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var id = ++_nextId;
        var request = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, deadline.Token)
            .ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await _socket.ReceiveAsync(buffer, deadline.Token).ConfigureAwait(false);
                if (part.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException("Chromium closed the DevTools connection");
                }

                message.Write(buffer, 0, part.Count);
            }
            while (!part.EndOfMessage);

            var answer = JsonNode.Parse(message.ToArray());
            if (answer?["id"]?.GetValue<int>() != id)
            {
                continue;
            }

            if (answer["error"] is { } error)
            {
                throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
            }

            return answer["result"];
        }
    }
}
