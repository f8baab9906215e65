using System.Diagnostics;
using NafNative.Learning;
using NafNative.Remote.Server;

namespace NafNative.Cli.Bench;

// Design: the training session hands its RemoteRunParts to Start (its controlling thread); the recorder keeps the
// run's SnapshotPublisher and a thread of its own reads Publisher.Latest (an acquire load, as workers do) every
// millisecond until Stop. Each snapshot carries its own publication timestamp, so a late poll only risks missing a
// version (two publications within one poll), which is counted, never a wrong time.

/// <summary>The learner service for <c>naf bench remote</c>, recording when each parameter version was published
/// (for the fan-out latency) while it serves the workers.</summary>
internal sealed class PublicationRecorder(LearnerServer server) : IRemoteWorkers
{
    private readonly List<(long Version, long PublishedNs)> _publications = [];
    private volatile bool _stop;
    private Thread? _poller;

    public LearnerServer Server => server;
    public int Slots => server.Slots;

    /// <summary>Versions published between two polls (no time recorded for them).</summary>
    public long Missed { get; private set; }

    public IReadOnlyList<(long Version, long PublishedNs)> Publications
    {
        get { lock (_publications) return [.. _publications]; }
    }

    public void Start(RemoteRunParts run)
    {
        server.Start(run);
        _poller = new Thread(() => Poll(run.Publisher)) { IsBackground = true, Name = "bench publications" };
        _poller.Start();
    }

    public void Report(MetricsRow row) => server.Report(row);

    public void Stop()
    {
        _stop = true;
        _poller?.Join();
        server.Stop();
    }

    private void Poll(SnapshotPublisher publisher)
    {
        long last = 0;
        while (!_stop)
        {
            if (publisher.Latest is { } latest && latest.Version != last)
            {
                if (last != 0 && latest.Version > last + 1) Missed += latest.Version - last - 1;
                last = latest.Version;
                lock (_publications) _publications.Add((latest.Version, Remote.Client.SnapshotArrivals.Nanoseconds(latest.PublishedAt)));
            }
            Thread.Sleep(1);
        }
    }
}
