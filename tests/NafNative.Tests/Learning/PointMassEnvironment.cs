using NafNative.Environments;

namespace NafNative.Tests.Learning;

/// <summary>A small real task for runtime tests: a point on a line, moved by velocity commands toward a target;
/// reward −|x − target|; truncated after <see cref="MaxEpisodeSteps"/>. Optionally throws at a chosen step to test
/// failure propagation, or marks an episode's step <paramref name="discardAtEpisodeStep"/> Discard (as a physics
/// reset does).</summary>
internal sealed class PointMassEnvironment(double controlRate = 1000, int maxEpisodeSteps = 20, long throwAtStep = -1,
    int discardAtEpisodeStep = -1, long stallAtStep = -1, TimeSpan stall = default, bool throwOnDispose = false,
    TimeSpan resetTakes = default) : IEnvironment
{
    private int _resets;
    private float _x, _target;
    private int _t;
    private long _totalSteps;

    public string Name => "point-mass";
    public int ObservationSize => 2;
    public int ActionSize => 1;
    public double ControlRate => controlRate;
    public int MaxEpisodeSteps => maxEpisodeSteps;
    public bool IsSuccess => MathF.Abs(_x - _target) < 0.1f;
    public bool Disposed { get; private set; }

    public void Reset(int seed, Span<float> observation)
    {
        if (_resets++ > 0 && resetTakes > TimeSpan.Zero) Thread.Sleep(resetTakes); // a robot homing its arm
        var random = new Random(seed);
        _x = (float)(random.NextDouble() * 2 - 1);
        _target = (float)(random.NextDouble() * 2 - 1);
        _t = 0;
        observation[0] = _x;
        observation[1] = _target;
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (++_totalSteps == throwAtStep) throw new IOException("point-mass: simulated link failure");
        if (_totalSteps == stallAtStep) Thread.Sleep(stall); // a stuck environment (e.g. a hung simulator call)
        _x = Math.Clamp(_x + 0.2f * action[0], -2f, 2f);
        _t++;
        observation[0] = _x;
        observation[1] = _target;
        if (_t == discardAtEpisodeStep)
        {
            observation[0] = 1e3f; // a teleported state that no action reaches
            return new StepResult(-1e3f, Terminated: false, Truncated: true, Discard: true);
        }
        return new StepResult(-MathF.Abs(_x - _target), Terminated: false, Truncated: _t >= MaxEpisodeSteps);
    }

    /// <summary>Steps taken over all episodes.</summary>
    public long TotalSteps => Volatile.Read(ref _totalSteps);

    public void Dispose()
    {
        Disposed = true;
        if (throwOnDispose) throw new IOException("point-mass: simulated failure while closing the link");
    }
}
