using NafNative.Environments;

namespace NafNative.Remote.Tests;

/// <summary>A stand-in for an arm behind a control loop (IHoldableEnvironment), with ChecksumEnvironment's
/// transitions ([tag, n, n + 13] → [tag, n + 1, n + 14]) so what reaches the learner can be audited: each step takes
/// <c>stepDelay</c> as a robot's control period does, a step can be made to stall until the arm is stopped, and every
/// hold, stop and step is counted.</summary>
internal sealed class HoldableTestEnvironment(int tag, int maxEpisodeSteps = 50, TimeSpan? stepDelay = null, long stallAtStep = -1) : IHoldableEnvironment
{
    private readonly ManualResetEventSlim _stopped = new();
    private int _n, _t;
    private bool _inEpisode;
    private long _steps, _resets, _holds, _stepsAfterStop;

    public string Name => "checksum";
    public int ObservationSize => 3;
    public int ActionSize => 1;
    public double ControlRate => 1000;
    public int MaxEpisodeSteps => maxEpisodeSteps;
    public bool IsSuccess => false;

    // Read by the test thread while the worker thread runs: Interlocked/Volatile throughout.
    public long Steps => Interlocked.Read(ref _steps);
    public long Resets => Interlocked.Read(ref _resets);
    public long Holds => Interlocked.Read(ref _holds);
    public long StepsAfterStop => Interlocked.Read(ref _stepsAfterStop);
    /// <summary>The episode step at which the last hold came (0 = before the first step).</summary>
    public int HeldAtEpisodeStep { get; private set; } = -1;
    public string? StopReason { get; private set; }
    /// <summary>The stalled step was released by <see cref="SafetyStop"/> (not by its 20 s limit).</summary>
    public bool StallEndedByStop { get; private set; }
    public ManualResetEventSlim StallEntered { get; } = new();

    public void Reset(int seed, Span<float> observation)
    {
        Interlocked.Increment(ref _resets);
        _t = 0;
        _inEpisode = true;
        Write(observation, _n);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (!_inEpisode) throw new InvalidOperationException("Step without a running episode (held or ended); call Reset first.");
        if (_stopped.IsSet) Interlocked.Increment(ref _stepsAfterStop);
        if (Interlocked.Increment(ref _steps) == stallAtStep)
        {
            StallEntered.Set();
            StallEndedByStop = _stopped.Wait(TimeSpan.FromSeconds(20));
        }
        if (stepDelay is { } delay) Thread.Sleep(delay);
        float reward = _n % 1000 / 4f;
        _n++;
        _t++;
        Write(observation, _n);
        bool truncated = _t >= maxEpisodeSteps;
        if (truncated) _inEpisode = false;
        return new StepResult(reward, Terminated: false, Truncated: truncated);
    }

    public void HoldAtRest()
    {
        HeldAtEpisodeStep = _t;
        _inEpisode = false;
        Interlocked.Increment(ref _holds);
    }

    public void SafetyStop(string reason)
    {
        StopReason ??= reason;
        _stopped.Set();
    }

    public void Dispose() => _stopped.Dispose();

    private void Write(Span<float> o, int n) { o[0] = tag; o[1] = n; o[2] = n + 13; }
}
