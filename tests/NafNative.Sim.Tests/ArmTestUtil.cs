using NafNative.Sim.Arm;

namespace NafNative.Sim.Tests;

/// <summary>Shared helpers: models without limits or friction, seeded random states.</summary>
internal static class ArmTestUtil
{
    /// <summary>The iiwa-like model with no friction and no joint limits: free, conservative dynamics.</summary>
    public static ArmModel Frictionless()
    {
        ArmModel model = ArmModel.Iiwa14();
        int n = model.DegreesOfFreedom;
        var lower = new double[n];
        var upper = new double[n];
        Array.Fill(lower, double.NegativeInfinity);
        Array.Fill(upper, double.PositiveInfinity);
        return model with { Damping = new double[n], LowerLimits = lower, UpperLimits = upper };
    }

    /// <summary>A configuration inside the limits, velocities in ±2 rad/s and torques in ±50 N·m.</summary>
    public static void RandomState(Random random, ArmModel model, double[] q, double[] qd, double[] tau)
    {
        for (int i = 0; i < q.Length; i++)
        {
            double lo = Math.Max(model.LowerLimits[i], -3), hi = Math.Min(model.UpperLimits[i], 3);
            q[i] = lo + (hi - lo) * random.NextDouble();
            qd[i] = 4 * random.NextDouble() - 2;
            tau[i] = 100 * random.NextDouble() - 50;
        }
    }

    /// <summary>A swinging start: the arm released from rest in a bent pose, so it falls and whips around.</summary>
    public static readonly double[] ReleasePose = [0.3, 0.8, -0.4, -1.0, 0.5, 0.6, 0.2];

    public static double TotalEnergy(ArmDynamics dynamics, ReadOnlySpan<double> q, ReadOnlySpan<double> qd) =>
        dynamics.KineticEnergy(q, qd) + dynamics.PotentialEnergy(q);
}
