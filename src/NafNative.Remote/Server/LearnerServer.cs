using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NafNative.Learning;

namespace NafNative.Remote.Server;

/// <summary>The learner's side of remote workers: a gRPC service on Kestrel (HTTP/2; TLS when a certificate is
/// given) that a <see cref="TrainingSession"/> starts once its learner has published the first snapshot.</summary>
/// <remarks>Per-worker metrics go to <c>remote_workers.csv</c> in the run folder with each metrics row, and to
/// <see cref="Workers"/> for the live table.</remarks>
public sealed class LearnerServer : IRemoteWorkers
{
    /// <summary>The per-worker metrics file in the run folder.</summary>
    public const string WorkersFile = "remote_workers.csv";

    public const string WorkersHeader = "wall_seconds,worker,name,peer,steps,steps_per_s,transitions,batches,duplicate_batches,episodes,staleness,last_seen_s";

    private readonly LearnerServerOptions _options;
    private WebApplication? _app;
    private LearnerState? _state;
    private string? _workersPath;

    public LearnerServer(LearnerServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public int Slots => _options.MaxWorkers;

    /// <summary>The URL workers connect to (the actual port when the options asked for port 0); set by Start.</summary>
    public string? Address { get; private set; }

    /// <summary>Calls refused so far (bad or missing token, malformed batch, mismatched registration).</summary>
    public long Refusals => _state?.Refusals ?? 0;

    /// <summary>The latest per-worker view (the one <see cref="Report"/> wrote last).</summary>
    public IReadOnlyList<RemoteWorkerRow> Workers { get; private set; } = [];

    /// <exception cref="IOException">The address is in use or cannot be bound (the message names it).</exception>
    public void Start(RemoteRunParts run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (_app is not null) throw new InvalidOperationException("LearnerServer.Start: already started.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the wire format is little-endian float32.");
        var state = new LearnerState(run, _options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (_options.Log is { } log) builder.Logging.AddProvider(new LogForwarder(log));
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc(grpc =>
        {
            // One batch of MaxBatchTransitions plus headroom for the envelope and episode summaries; anything bigger
            // is refused with RESOURCE_EXHAUSTED before it is parsed.
            grpc.MaxReceiveMessageSize = MaxMessageBytes(_options.MaxBatchTransitions, state.Stride);
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = true;
            grpc.Interceptors.Add<TokenInterceptor>();
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxMessageBytes(_options.MaxBatchTransitions, state.Stride) + 1024;
            kestrel.Listen(_options.Listen, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (_options.Certificate is { } certificate) listen.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        app.MapGrpcService<LearnerService>();
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new IOException($"naf learner: cannot listen on {_options.Listen}: {e.Message}", e);
        }
        _app = app;
        _state = state;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = addresses.First().Replace("[::]", "localhost", StringComparison.Ordinal);
        _workersPath = Path.Combine(run.RunPath, WorkersFile);
        if (!File.Exists(_workersPath)) File.WriteAllText(_workersPath, WorkersHeader + "\n");
        _options.Log?.Invoke($"listening on {Address} ({(_options.Certificate is null ? "plaintext h2c" : "TLS")}, token required)" +
            (IPAddress.IsLoopback(_options.Listen.Address) || _options.Certificate is not null ? "" : "; warning: not loopback and no TLS: the token and the experience travel in the clear"));
    }

    /// <summary>Appends one row per registered worker to remote_workers.csv (a failed write is skipped: the next
    /// row tries again).</summary>
    public void Report(MetricsRow row)
    {
        if (_state is null) return;
        var rows = new List<RemoteWorkerRow>();
        long now = Stopwatch.GetTimestamp();
        foreach (var slot in _state.Slots())
        {
            lock (slot.Lock)
            {
                double dt = row.WallSeconds - slot.ReportedAt;
                double rate = dt > 0 ? (slot.Steps - slot.ReportedSteps) / dt : 0;
                slot.ReportedSteps = slot.Steps;
                slot.ReportedAt = row.WallSeconds;
                rows.Add(new RemoteWorkerRow(slot.Id, slot.Name, slot.Peer, slot.Steps, rate, slot.Transitions, slot.Batches, slot.Duplicates,
                    slot.Episodes, slot.Staleness, Stopwatch.GetElapsedTime(Volatile.Read(ref slot.LastSeenTicks), now).TotalSeconds));
            }
        }
        Workers = rows;
        if (_workersPath is null || rows.Count == 0) return;
        var text = new System.Text.StringBuilder();
        foreach (var r in rows) text.Append(r.ToCsv(row.WallSeconds)).Append('\n');
        try { File.AppendAllText(_workersPath, text.ToString()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _options.Log?.Invoke($"warning: {_workersPath}: {e.Message}"); }
    }

    public void Stop()
    {
        if (_app is null) return;
        var app = _app;
        _app = null;
        // Workers' calls in flight are cut after a short grace: they resend to the next learner (at-least-once).
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2))) app.StopAsync(grace.Token).GetAwaiter().GetResult();
        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The receive limit for batches of <paramref name="transitions"/> of <paramref name="stride"/> floats.</summary>
    public static int MaxMessageBytes(int transitions, int stride) => checked(transitions * stride * sizeof(float) + 64 * 1024);

    // Kestrel's and gRPC's own warnings (e.g. a message over the size limit) join the learner's log.
    private sealed class LogForwarder(Action<string> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Forward(log);
        public void Dispose() { }

        private sealed class Forward(Action<string> log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) log($"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
            }
        }
    }
}

/// <summary>One remote worker in remote_workers.csv and the live table.</summary>
public sealed record RemoteWorkerRow(int Worker, string Name, string Peer, long Steps, double StepsPerS, long Transitions, long Batches,
    long DuplicateBatches, long Episodes, double Staleness, double LastSeenSeconds)
{
    public string ToCsv(double wallSeconds) => string.Join(',', F(wallSeconds), Worker.ToString(CultureInfo.InvariantCulture),
        Csv(Name), Csv(Peer), Steps.ToString(CultureInfo.InvariantCulture), F(StepsPerS), Transitions.ToString(CultureInfo.InvariantCulture),
        Batches.ToString(CultureInfo.InvariantCulture), DuplicateBatches.ToString(CultureInfo.InvariantCulture),
        Episodes.ToString(CultureInfo.InvariantCulture), F(Staleness), F(LastSeenSeconds));

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);
    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
