using NafNative.Remote.Client;

namespace NafNative.Cli.Training;

// Design:
// - The command's thread starts one thread per RemoteWorker and waits. The first worker to fail (a refusal, a
//   watchdog trip, a robot's safety stop) is recorded and cancels the others through the shared token; a watchdog
//   trip does so from its timer thread at once, without waiting for the stuck worker.
// - Every thread is given StopTimeout after the stop to end. One still running then (stuck in a policy or a step) is
//   named and left: its robot was told to stop by the watchdog and is disposed anyway (the controller stops the arm
//   and closes its link whatever the worker thread does); a simulated environment under a running step is not.

/// <summary>Runs a <c>naf worker</c> process's remote workers on threads of their own until the token is
/// cancelled or one fails, then disposes their environments.</summary>
internal sealed class RemoteWorkerHost(RemoteWorker[] workers, Environments.IEnvironment[] environments)
{
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Exception?[] _failures = new Exception?[workers.Length];

    /// <summary>The first failure, in worker order (null: all stopped because they were told to).</summary>
    public Exception? Failure => _failures.FirstOrDefault(f => f is not null);

    /// <summary>Workers that had not ended <see cref="StopTimeout"/> after the stop.</summary>
    public List<string> Stuck { get; } = [];

    /// <summary>Records a failure and stops every worker (any thread; never throws).</summary>
    public void Fail(int index, Exception failure, CancellationTokenSource stop)
    {
        Interlocked.CompareExchange(ref _failures[index], failure, null);
        try { stop.Cancel(); }
        catch (Exception e) when (e is AggregateException or ObjectDisposedException) { } // a callback's failure must not mask this one
    }

    public void Run(CancellationTokenSource stop)
    {
        var threads = new Thread[workers.Length];
        for (int i = 0; i < workers.Length; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                try { workers[index].Run(stop.Token); }
                catch (Exception e) { Fail(index, e, stop); }
            }) { IsBackground = true, Name = $"naf remote worker {i}" };
            threads[i].Start();
        }
        var ended = new bool[threads.Length];
        try
        {
            // Until the stop (a signal, the time budget, a failure), or until every worker has ended by itself.
            while (!stop.IsCancellationRequested && threads.Any(t => t.IsAlive)) stop.Token.WaitHandle.WaitOne(100);
        }
        finally
        {
            var deadline = DateTime.UtcNow + StopTimeout;
            for (int i = 0; i < threads.Length; i++)
            {
                ended[i] = threads[i].Join(Remaining(deadline));
                if (!ended[i]) Stuck.Add($"{workers[i].Connection.Name} (in its policy or a step)");
            }
            // Each in its own try: a robot that fails to stop cleanly must not leave the next one undisposed.
            for (int i = 0; i < environments.Length; i++)
            {
                if (!ended[i] && environments[i] is not Environments.IHoldableEnvironment) continue;
                try { environments[i].Dispose(); }
                catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException) { Fail(i, e, stop); }
            }
        }
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
