namespace NafNative.Hardware.Simulated;

/// <summary>How simulated servos' output shafts move: the simulated chain asks it to advance time with each servo's
/// commanded velocity (0 and free when its torque is off).</summary>
/// <remarks>Angles in radians and velocities in rad/s at the servo horn (before any drive-mode reversal or homing
/// offset, which the servo applies to its registers). Called from the chain's thread only. The CLI wires the built-in
/// arm's dynamics here; <see cref="FirstOrderServoDynamics"/> is the stand-alone default.</remarks>
public interface IServoDynamics
{
    /// <summary>Servos this model moves (one per servo, in chain order).</summary>
    int Count { get; }

    /// <summary>Advances simulated time by <paramref name="seconds"/>.</summary>
    /// <param name="seconds">Simulated time to advance (&gt; 0; already multiplied by the chain's time scale).</param>
    /// <param name="commandedVelocity">Per servo, the velocity its controller tries to hold (rad/s).</param>
    /// <param name="torqueOn">Per servo, whether its motor is powered; an unpowered joint only feels friction.</param>
    /// <param name="positions">Per servo, horn angle (rad): read and updated.</param>
    /// <param name="velocities">Per servo, horn velocity (rad/s): read and updated.</param>
    void Advance(double seconds, ReadOnlySpan<double> commandedVelocity, ReadOnlySpan<bool> torqueOn,
        Span<double> positions, Span<double> velocities);
}

/// <summary>Independent servos whose velocity follows the command with a first-order lag (time constant
/// <see cref="TimeConstant"/>), coasting to rest with the same constant when torque is off.</summary>
public sealed class FirstOrderServoDynamics : IServoDynamics
{
    public FirstOrderServoDynamics(int count, double timeConstant = 0.02)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "FirstOrderServoDynamics: need at least one servo.");
        if (!(timeConstant > 0 && double.IsFinite(timeConstant)))
            throw new ArgumentOutOfRangeException(nameof(timeConstant), timeConstant, "FirstOrderServoDynamics: time constant must be positive.");
        Count = count;
        TimeConstant = timeConstant;
    }

    public int Count { get; }
    public double TimeConstant { get; }

    public void Advance(double seconds, ReadOnlySpan<double> commandedVelocity, ReadOnlySpan<bool> torqueOn,
        Span<double> positions, Span<double> velocities)
    {
        // Exact for a constant command over the interval: v → target with e^(−t/τ); position integrates that.
        double decay = Math.Exp(-seconds / TimeConstant);
        for (int i = 0; i < Count; i++)
        {
            double target = torqueOn[i] ? commandedVelocity[i] : 0;
            double v0 = velocities[i];
            double v1 = target + (v0 - target) * decay;
            positions[i] += target * seconds + (v0 - target) * TimeConstant * (1 - decay);
            velocities[i] = v1;
        }
    }
}
