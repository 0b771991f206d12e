using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MultiRaft.Storage.Postgres.Tests;

/// <summary>
/// A private PostgreSQL server from Debian's <c>postgresql</c> package binaries: a fresh
/// cluster in a temporary directory, listening only on a free loopback port, with trust
/// authentication. It is not a Debian cluster (no pg_ctlcluster, no service): it lives and
/// dies with the test run.
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Root = "/usr/lib/postgresql";
    private const string User = "multiraft";

    private readonly string _bin;
    private readonly string _dir;

    private ThrowawayPostgres(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres";

    /// <summary>The newest installed server's bin directory, or null.</summary>
    public static string? FindBinaries() =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")) && File.Exists(Path.Combine(d, "bin", "pg_ctl")))
                .OrderByDescending(d => double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault()
            : null;

    public static async Task<ThrowawayPostgres> StartAsync(string bin)
    {
        var dir = await MakeDirectoryAsync();
        var server = new ThrowawayPostgres(bin, dir, FreePort());
        try
        {
            await server.InitAndStartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(Data, "postmaster.pid")))
        {
            // Fast shutdown: nothing here needs a checkpoint, but the directory must be free to delete.
            await PostgresProcess.RunAsync(Tool("pg_ctl"), _dir, "-D", Data, "-m", "fast", "-w", "stop");
        }

        Directory.Delete(_dir, recursive: true);
    }

    private string Data => Path.Combine(_dir, "data");

    private string Tool(string name) => Path.Combine(_bin, name);

    private async Task InitAndStartAsync()
    {
        // --no-sync: the cluster is thrown away, so initdb need not wait for the disk.
        await PostgresProcess.RunCheckedAsync(Tool("initdb"), _dir, "-D", Data, "-U", User, "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync");

        // The socket directory is ours: the default (/var/run/postgresql) may be missing or
        // another cluster's. -W: readiness is checked below with pg_isready.
        var settings = $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories={_dir}";
        await PostgresProcess.RunCheckedAsync(Tool("pg_ctl"), _dir, "-D", Data, "-l", LogFile, "-o", settings, "-W", "start");
        await WaitReadyAsync();
    }

    private string LogFile => Path.Combine(_dir, "server.log");

    // Set-up, not an assertion: a bounded wait for the server to accept connections.
    private async Task WaitReadyAsync()
    {
        var port = Port.ToString(CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var (code, _) = await PostgresProcess.RunAsync(Tool("pg_isready"), _dir, "-h", "127.0.0.1", "-p", port, "-t", "1");
            if (code == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile) : "(no server log)";
        throw new InvalidOperationException($"the throwaway PostgreSQL server on port {Port} did not become ready:\n{log}");
    }

    private static async Task<string> MakeDirectoryAsync()
    {
        if (!PostgresProcess.AsRoot)
        {
            return Directory.CreateTempSubdirectory("multiraft-pg-").FullName;
        }

        // Made by the postgres user so that it owns the cluster's directory.
        var (code, output) = await PostgresProcess.RunAsync("mktemp", Path.GetTempPath(), "-d",
            Path.Combine(Path.GetTempPath(), "multiraft-pg-XXXXXX"));
        return code == 0
            ? output.Trim()
            : throw new InvalidOperationException($"could not make a directory as the postgres user: {output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
