using System.Diagnostics;
using NafNative.Safety;
using NUnit.Framework;

namespace NafNative.Tests.Safety;

/// <summary><see cref="Watchdog"/> on a hand-driven clock (deterministic), plus one check on the real clock.</summary>
public sealed class WatchdogTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private sealed class Recorder
    {
        public readonly List<WatchdogTrip> Trips = [];
        public void OnTrip(WatchdogTrip trip)
        {
            lock (Trips) Trips.Add(trip);
        }
    }

    [TestCase(0)]
    [TestCase(-5)]
    public void Constructor_NonPositivePeriod_ThrowsNamingPeriod(int milliseconds)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Watchdog(TimeSpan.FromMilliseconds(milliseconds), _ => { }));
        Assert.That(e!.ParamName, Is.EqualTo("period"));
    }

    [Test]
    public void Constructor_NullCallback_Throws() =>
        Assert.Throws<ArgumentNullException>(() => _ = new Watchdog(Period, null!));

    [Test]
    public void Poll_JustBeforePeriod_DoesNotTrip_AtPeriod_TripsOnceWithTimeout()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Feed();

        clock.Advance(Period - Tick);
        Assert.That(watchdog.Poll(), Is.False, "one tick before the deadline");
        clock.Advance(Tick);
        Assert.That(watchdog.Poll(), Is.True, "at the deadline");
        watchdog.Poll();

        Assert.Multiple(() =>
        {
            Assert.That(recorder.Trips, Has.Count.EqualTo(1), "the callback runs once per trip");
            Assert.That(recorder.Trips[0].Reason, Is.EqualTo(WatchdogTripReason.Timeout));
            Assert.That(recorder.Trips[0].SinceLastCommand, Is.EqualTo(Period));
            Assert.That(recorder.Trips[0].Detail, Does.Contain("no command for 200.0 ms"));
            Assert.That(watchdog.Trips, Is.EqualTo(1));
            Assert.That(watchdog.LastTrip, Is.SameAs(recorder.Trips[0]));
        });
    }

    [Test]
    public void Start_NoFeed_TimerTripsExactlyAtTheDeadline()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        using var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Start();

        clock.Advance(Period - Tick);
        Assert.That(watchdog.IsTripped, Is.False);
        clock.Advance(Tick);
        Assert.That(watchdog.IsTripped, Is.True, "the timer fires at last feed + period");
        Assert.That(recorder.Trips.Single().SinceLastCommand, Is.EqualTo(Period));
    }

    [Test]
    public void Suspend_TimerDoesNotTripUntilReset_ThenCountsFromTheReset()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        using var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Start();
        clock.Advance(Period / 2);
        watchdog.Suspend();
        clock.Advance(10 * Period);
        Assert.That(watchdog.IsTripped, Is.False, "suspended: a long homing reset is not a stall");
        watchdog.Reset();
        clock.Advance(Period - Tick);
        Assert.That(watchdog.IsTripped, Is.False, "the period counts from the reset");
        clock.Advance(Tick);
        Assert.That(watchdog.IsTripped, Is.True, "armed again after the reset");
        Assert.That(recorder.Trips.Single().SinceLastCommand, Is.EqualTo(Period));
    }

    [Test]
    public void Start_FedEveryControlStep_NeverTrips()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        using var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Start();

        for (int step = 0; step < 1000; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            watchdog.Feed();
        }
        // Jittery but always inside the period: gaps up to period − 1 tick.
        for (int step = 0; step < 100; step++)
        {
            clock.Advance(Period - Tick);
            watchdog.Feed();
        }
        Assert.That(recorder.Trips, Is.Empty);
    }

    [Test]
    public void Start_FeedMovesTheDeadline_TripsOnePeriodAfterTheLastFeed()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        using var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Start();
        clock.Advance(TimeSpan.FromMilliseconds(120));
        watchdog.Feed(); // deadline moves to 320 ms

        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.That(watchdog.IsTripped, Is.False, "319 ms: 199 ms after the last feed");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(watchdog.IsTripped, Is.True, "320 ms: one period after the last feed");
    }

    [Test]
    public void Trip_IsLatched_FeedDoesNotClearIt_ResetDoes()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        using var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Start();
        clock.Advance(Period);
        Assert.That(watchdog.IsTripped, Is.True);

        watchdog.Feed();
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.That(watchdog.IsTripped, Is.True, "a command after a trip does not restart the arm");

        watchdog.Reset();
        Assert.That(watchdog.IsTripped, Is.False);
        clock.Advance(Period - Tick);
        Assert.That(watchdog.IsTripped, Is.False, "the period restarts at Reset");
        clock.Advance(Tick);
        Assert.Multiple(() =>
        {
            Assert.That(watchdog.IsTripped, Is.True, "and is watched again after Reset");
            Assert.That(watchdog.Trips, Is.EqualTo(2));
            Assert.That(recorder.Trips, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void ReportFault_TripsAtOnceWithTheReason_SecondFaultDoesNotCallBackAgain()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Feed();
        clock.Advance(TimeSpan.FromMilliseconds(30));

        watchdog.ReportFault("EtherCAT slave 2: working counter 1, expected 3");
        watchdog.ReportFault("later fault");

        Assert.Multiple(() =>
        {
            Assert.That(watchdog.IsTripped, Is.True);
            Assert.That(recorder.Trips, Has.Count.EqualTo(1));
            Assert.That(recorder.Trips[0].Reason, Is.EqualTo(WatchdogTripReason.LinkFault));
            Assert.That(recorder.Trips[0].Detail, Is.EqualTo("EtherCAT slave 2: working counter 1, expected 3"));
            Assert.That(recorder.Trips[0].SinceLastCommand, Is.EqualTo(TimeSpan.FromMilliseconds(30)));
        });
    }

    [Test]
    public void ReportFault_BlankReason_Throws()
    {
        var watchdog = new Watchdog(Period, _ => { }, new ManualTimeProvider());
        Assert.Throws<ArgumentException>(() => watchdog.ReportFault(" "));
        Assert.That(watchdog.IsTripped, Is.False);
    }

    [Test]
    public void Dispose_StopsTheTimer()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        watchdog.Start();
        watchdog.Dispose();
        clock.Advance(Period * 10);
        Assert.That(recorder.Trips, Is.Empty);
        Assert.Throws<ObjectDisposedException>(watchdog.Start);
    }

    [Test]
    public void TripRace_ManyThreadsPollingAndFaulting_CallsBackExactlyOnce()
    {
        var clock = new ManualTimeProvider();
        var recorder = new Recorder();
        var watchdog = new Watchdog(Period, recorder.OnTrip, clock);
        clock.Advance(Period * 2);
        using var start = new Barrier(4);
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            start.SignalAndWait();
            for (int i = 0; i < 1000; i++)
            {
                if (t % 2 == 0) watchdog.Poll();
                else watchdog.ReportFault("link down");
            }
        });
        Assert.That(recorder.Trips, Has.Count.EqualTo(1));
        Assert.That(watchdog.Trips, Is.EqualTo(1));
    }

    [Test]
    public void Feed_AllocatesNothing()
    {
        var watchdog = new Watchdog(Period, _ => { });
        watchdog.Feed();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            watchdog.Feed();
            watchdog.Poll();
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void RealClock_CommandsStop_TripsNoEarlierThanThePeriodAndSoonAfterIt()
    {
        // The only wall-clock test: the OS timer's lateness is bounded generously (a loaded 2-core CI machine); that
        // it never trips early is exact, since the trip compares monotonic timestamps.
        var period = TimeSpan.FromMilliseconds(100);
        using var tripped = new ManualResetEventSlim();
        long lastFeed = 0, trippedAt = 0;
        using var watchdog = new Watchdog(period, _ => { Volatile.Write(ref trippedAt, Stopwatch.GetTimestamp()); tripped.Set(); });
        watchdog.Start();
        var feeding = Stopwatch.StartNew();
        while (feeding.ElapsedMilliseconds < 300)
        {
            watchdog.Feed();
            lastFeed = Stopwatch.GetTimestamp();
            Thread.Sleep(10);
        }
        Assert.That(watchdog.IsTripped, Is.False, "fed every ~10 ms with a 100 ms period");

        Assert.That(tripped.Wait(TimeSpan.FromSeconds(5)), Is.True, "no trip within 5 s of the last command");
        var delay = Stopwatch.GetElapsedTime(lastFeed, Volatile.Read(ref trippedAt));
        TestContext.Out.WriteLine($"tripped {delay.TotalMilliseconds:F1} ms after the last command (period {period.TotalMilliseconds} ms)");
        Assert.That(delay, Is.GreaterThanOrEqualTo(period - TimeSpan.FromMilliseconds(1)));
        Assert.That(delay, Is.LessThan(period + TimeSpan.FromMilliseconds(400)));
    }
}
