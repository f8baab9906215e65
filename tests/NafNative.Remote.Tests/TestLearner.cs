using System.Net;
using System.Security.Cryptography.X509Certificates;
using NafNative.Learning;
using NafNative.Naf;
using NafNative.Remote.Client;
using NafNative.Remote.Protocol;
using NafNative.Remote.Security;
using NafNative.Remote.Server;
using NafNative.Replay;

namespace NafNative.Remote.Tests;

/// <summary>A learner service in the test process on a loopback port of its own, over a replay ring the test can
/// audit; no trainer runs (updates are whatever the test says), so every figure is exact.</summary>
internal sealed class TestLearner : IDisposable
{
    public const string TokenText = "test-token-0123456789abcdef";
    public static readonly SharedToken Token = new(TokenText);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _runPath;

    public TestLearner(string task = "checksum", int observationSize = 3, int actionSize = 1, double? updatesPerInsert = null,
        int minReplayFill = 1, Func<long, bool>? dropReply = null, X509Certificate2? certificate = null, int maxBatch = 1024,
        int port = 0, ReplayRing? ring = null, int[]? hidden = null, TimeSpan? slotReuseAfter = null, float rewardScale = 1f)
    {
        hidden ??= [8];
        Ring = ring ?? new ReplayRing(1 << 18, observationSize, actionSize);
        Publisher = new SnapshotPublisher();
        var network = new NafNetwork(observationSize, actionSize, hidden);
        var parameters = new float[network.ParameterCount];
        for (int i = 0; i < parameters.Length; i++) parameters[i] = 0.01f * ((i % 7) - 3);
        Publisher.Publish(parameters, 0);
        Metrics = new RunMetrics(4);
        Limiter = new RateLimiter(updatesPerInsert, minReplayFill, insertSlack: 0);
        _runPath = Path.Combine(Path.GetTempPath(), $"nafnative-remote-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_runPath);
        var settings = new RunSettings { Noise = "gaussian", NoiseInitial = 0.3f, NoiseDecay = 0.995f, NoiseMinimum = 0.1f, TimeScale = 1, Seed = 1 };
        settings.HiddenSizes.AddRange(hidden);
        Server = new LearnerServer(new LearnerServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, port), Token = Token, Certificate = certificate, MaxWorkers = 4,
            MaxBatchTransitions = maxBatch, Settings = settings, DropReplyForTest = dropReply,
            SlotReuseAfter = slotReuseAfter ?? TimeSpan.FromSeconds(30),
            Log = line => { lock (Log) Log.Add(line); },
        });
        Server.Start(new RemoteRunParts(Ring, Publisher, Metrics, Limiter, 0, task,
            new NafOptions { ObservationSize = observationSize, ActionSize = actionSize, HiddenSizes = hidden }, _runPath, _stop.Token, rewardScale));
        Url = Server.Address!;
        if (certificate is not null) Url = Url.Replace("http://", "https://", StringComparison.Ordinal);
    }

    public ReplayRing Ring { get; }
    public SnapshotPublisher Publisher { get; }
    public RunMetrics Metrics { get; }
    public RateLimiter Limiter { get; }
    public LearnerServer Server { get; }
    public string Url { get; }
    public List<string> Log { get; } = [];
    public int Port => new Uri(Url).Port;

    public string[] LogLines() { lock (Log) return [.. Log]; }

    /// <summary>A connection for a worker on <paramref name="environment"/> with this learner's token (or another).</summary>
    public LearnerConnection Connect(Grpc.Net.Client.GrpcChannel channel, Environments.IEnvironment environment, string task = "checksum",
        string name = "test", SharedToken? token = null) =>
        new(channel, token ?? Token, RemoteChannel.Describe(environment, task, name))
        {
            MinBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200), CallTimeout = TimeSpan.FromSeconds(5),
        };

    /// <summary>Runs <paramref name="worker"/> on its own thread until <paramref name="until"/> holds (or 30 s), then
    /// stops it; returns the failure it stopped with, if any.</summary>
    public static Exception? RunUntil(RemoteWorker worker, Func<bool> until, TimeSpan? limit = null)
    {
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { worker.Run(stop.Token); }
            catch (Exception e) { failure = e; }
        }) { IsBackground = true };
        thread.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!until() && thread.IsAlive && clock.Elapsed < (limit ?? TimeSpan.FromSeconds(30))) Thread.Sleep(10);
        stop.Cancel();
        NUnit.Framework.Assert.That(thread.Join(TimeSpan.FromSeconds(10)), NUnit.Framework.Is.True, "the worker stops within 10 s");
        return failure;
    }

    public void Dispose()
    {
        _stop.Cancel();
        Server.Stop();
        _stop.Dispose();
        try { Directory.Delete(_runPath, recursive: true); } catch (IOException) { }
    }
}
