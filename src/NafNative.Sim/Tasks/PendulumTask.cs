using System.Runtime.CompilerServices;
using NafNative.Environments;

namespace NafNative.Sim.Tasks;

/// <summary>Gymnasium's Pendulum-v1: swing a pendulum up and balance it, with Gymnasium's exact dynamics and reward.</summary>
/// <remarks>
/// <para><b>Dynamics</b> (Gymnasium <c>classic_control/pendulum.py</c>, in double precision): g = 10, m = 1, l = 1,
/// dt = 0.05 s; u = clip(2a, −2, 2) N·m;
/// θ̇′ = clip(θ̇ + (3g/(2l) sin θ + 3/(m l²) u) dt, −8, 8); θ′ = θ + θ̇′ dt. θ = 0 is upright.</para>
/// <para><b>Reward</b>: −(norm(θ)² + 0.1 θ̇² + 0.001 u²) on the state <i>before</i> the step, norm(θ) = ((θ + π) mod 2π) − π
/// ∈ [−π, π) (Python's floored modulo).</para>
/// <para><b>Observation</b> (3): [cos θ, sin θ, θ̇ / 8] — Gymnasium's with the velocity divided by its maximum 8 rad/s
/// so every entry is in [−1, 1]; construct with <c>scaleVelocity: false</c> for Gymnasium's exact [cos θ, sin θ, θ̇].</para>
/// <para><b>Episode</b>: θ ~ U(−π, π), θ̇ ~ U(−1, 1) from the seed (θ drawn first); truncated after 200 steps (10 s), never
/// terminated. Action a ∈ [−1, 1] (clamped); a NaN or infinite action throws <see cref="ArgumentException"/> naming index 0,
/// state unchanged.</para>
/// <para><b>Success</b> (not Gymnasium's; ours): the mean of |norm(θ)| over the episode's last 20 steps (the states after
/// them) is below 0.3 rad, i.e. the pendulum is held near upright at the end.</para>
/// </remarks>
public sealed class PendulumTask : IEnvironment
{
    public const double Gravity = 10, Mass = 1, Length = 1, TimeStep = 0.05, MaxSpeed = 8, MaxTorque = 2;
    public const int EpisodeSteps = 200, SuccessWindow = 20;
    public const double SuccessAngle = 0.3;

    private readonly bool _scaleVelocity;
    private readonly double[] _recentAngles = new double[SuccessWindow];
    private double _theta, _thetaDot;
    private int _steps;
    private bool _inEpisode;

    /// <param name="scaleVelocity">Divide θ̇ by 8 in the observation (default); false gives Gymnasium's exact observation.</param>
    public PendulumTask(bool scaleVelocity = true) => _scaleVelocity = scaleVelocity;

    public string Name => "pendulum";
    public int ObservationSize => 3;
    public int ActionSize => 1;
    public double ControlRate => 1 / TimeStep;
    public int MaxEpisodeSteps => EpisodeSteps;

    /// <summary>The angle θ (rad, unwrapped; 0 upright).</summary>
    public double Angle => _theta;

    /// <summary>The angular velocity θ̇ (rad/s).</summary>
    public double AngularVelocity => _thetaDot;

    public int StepCount => _steps;

    public bool IsSuccess
    {
        get
        {
            if (_steps < SuccessWindow) return false;
            double sum = 0;
            for (int i = 0; i < SuccessWindow; i++) sum += _recentAngles[i];
            return sum / SuccessWindow < SuccessAngle;
        }
    }

    public void Reset(int seed, Span<float> observation)
    {
        var random = new SimRandom(seed);
        double theta = random.Uniform(-Math.PI, Math.PI);
        double thetaDot = random.Uniform(-1, 1);
        ResetTo(theta, thetaDot, observation);
    }

    /// <summary>Starts an episode from a given state (hand-built states in tests).</summary>
    public void ResetTo(double theta, double thetaDot, Span<float> observation)
    {
        CheckObservation(observation);
        if (!double.IsFinite(theta) || !double.IsFinite(thetaDot))
            throw new ArgumentException($"PendulumTask.ResetTo: state ({theta}, {thetaDot}) is not finite.");
        _theta = theta;
        _thetaDot = thetaDot;
        _steps = 0;
        _inEpisode = true;
        WriteObservation(observation);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (!_inEpisode) ThrowNotInEpisode();
        if (action.Length != 1) ThrowActionLength(action.Length);
        CheckObservation(observation);
        float a = action[0];
        if (!float.IsFinite(a)) ThrowNotFinite(a);

        double u = Math.Clamp(MaxTorque * Math.Clamp(a, -1f, 1f), -MaxTorque, MaxTorque);
        double normalized = NormalizeAngle(_theta);
        double cost = normalized * normalized + 0.1 * _thetaDot * _thetaDot + 0.001 * u * u;
        double newThetaDot = _thetaDot + (3 * Gravity / (2 * Length) * Math.Sin(_theta) + 3.0 / (Mass * Length * Length) * u) * TimeStep;
        newThetaDot = Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed);
        _theta += newThetaDot * TimeStep;
        _thetaDot = newThetaDot;

        _recentAngles[_steps % SuccessWindow] = Math.Abs(NormalizeAngle(_theta));
        _steps++;
        bool truncated = _steps >= EpisodeSteps;
        if (truncated) _inEpisode = false;
        WriteObservation(observation);
        return new StepResult((float)-cost, Terminated: false, Truncated: truncated);
    }

    /// <summary>((x + π) mod 2π) − π with a floored modulo (Python's %), in [−π, π).</summary>
    public static double NormalizeAngle(double x)
    {
        double y = x + Math.PI;
        double r = y - 2 * Math.PI * Math.Floor(y / (2 * Math.PI));
        if (r >= 2 * Math.PI) r -= 2 * Math.PI; // rounding at the top edge
        return r - Math.PI;
    }

    public void Dispose()
    {
    }

    private void WriteObservation(Span<float> observation)
    {
        observation[0] = (float)Math.Cos(_theta);
        observation[1] = (float)Math.Sin(_theta);
        observation[2] = (float)(_scaleVelocity ? _thetaDot / MaxSpeed : _thetaDot);
    }

    private static void CheckObservation(Span<float> observation)
    {
        if (observation.Length != 3) ThrowObservationLength(observation.Length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowObservationLength(int length) =>
        throw new ArgumentException($"PendulumTask: observation buffer has length {length}; pass exactly 3.", "observation");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowActionLength(int length) =>
        throw new ArgumentException($"PendulumTask.Step: action has length {length}; pass exactly 1.", "action");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(float value) =>
        throw new ArgumentException($"PendulumTask.Step: action[0] is {value}; actions must be finite numbers in [-1, 1]. The state is unchanged.", "action");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotInEpisode() =>
        throw new InvalidOperationException(_steps == 0
            ? "PendulumTask.Step: no episode is running; call Reset(seed, observation) first."
            : $"PendulumTask.Step: the episode ended after {_steps} steps; call Reset to start another.");
}
