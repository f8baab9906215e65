using NafNative.Sim.Arm;

namespace NafNative.Sim.Variation;

/// <summary>One simulated robot's actual differences from the nominal one, drawn from <see cref="VariationRanges"/>;
/// written to the run folder (robots.json) so a run says exactly which robots it had.</summary>
/// <remarks>Scales are factors (1 = nominal). Zero offsets are what the robot's encoders read minus the true angle
/// (rad): the observation shows q + offset, the physics and the safety filter use the true q.</remarks>
public sealed record RobotParameters(int Worker, double[] JointOffsetsRad, double[] MassScales, double[] DampingScales,
    double[] GainScales, int LatencySteps, double JointAngleNoiseRad, double JointVelocityNoise, double ActionNoise)
{
    /// <summary>Draws robot <paramref name="worker"/> of a run seeded <paramref name="seed"/> with <paramref name="joints"/>
    /// joints: the same (seed, worker) always gives the same robot, and different workers different ones.</summary>
    public static RobotParameters Draw(VariationRanges ranges, int seed, int worker, int joints)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(joints);
        // A stream of its own per (seed, worker), independent of the episode seeds (SimRandom mixes its seed).
        var random = new SimRandom(unchecked(seed * 1_000_003 + worker * 7919 + 0x5A17));
        double[] Draw(double halfWidth, double scale, double center)
        {
            var values = new double[joints];
            for (int i = 0; i < joints; i++) values[i] = center + scale * random.Uniform(-halfWidth, halfWidth);
            return values;
        }
        // Fixed draw order, so adding a field later does not change the robots of existing seeds before it.
        double[] offsets = Draw(ranges.JointOffsetDeg, Math.PI / 180, 0);
        double[] mass = Draw(ranges.MassPct, 0.01, 1);
        double[] damping = Draw(ranges.DampingPct, 0.01, 1);
        double[] gain = Draw(ranges.GainPct, 0.01, 1);
        int latency = ranges.LatencySteps == 0 ? 0 : (int)Math.Min(ranges.LatencySteps, Math.Floor(random.NextDouble() * (ranges.LatencySteps + 1)));
        return new RobotParameters(worker, offsets, mass, damping, gain, latency, ranges.JointAngleNoiseRad, ranges.JointVelocityNoise, ranges.ActionNoise);
    }

    /// <summary>The arm with this robot's link masses and inertias (both scaled by the link's mass factor, so its
    /// radii of gyration stay), joint damping and velocity-servo gains.</summary>
    public ArmModel Apply(ArmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = model.DegreesOfFreedom;
        if (MassScales.Length != n)
            throw new ArgumentException($"robot {Worker}: drawn for {MassScales.Length} joints, the arm has {n}.", nameof(model));
        return model with
        {
            LinkMasses = [.. model.LinkMasses.Select((m, i) => m * MassScales[i])],
            LinkInertias = [.. model.LinkInertias.Select((j, i) => MassScales[i] * j)],
            Damping = [.. model.Damping.Select((b, i) => b * DampingScales[i])],
            VelocityGains = [.. model.VelocityGains.Select((k, i) => k * GainScales[i])],
        };
    }
}
