using NafNative.Sim.Arm;

namespace NafNative.Sim.Tests;

/// <summary>The hand-written controllers' one law (reach, door, pick-and-place scripts): damped least squares from an
/// end-effector velocity to joint-velocity actions.</summary>
internal static class ResolvedRateControl
{
    /// <summary>q̇ = Jᵀ(JJᵀ + λ²1)⁻¹ v (λ = 0.05 m) for end-effector velocity <paramref name="velocity"/> and the 3×7
    /// row-major linear Jacobian, written as actions (q̇ / (actionScale · max speed), clamped to [−1, 1]).</summary>
    public static void Apply(ArmModel model, double actionScale, double[] jacobian, Vec3 velocity, Span<float> action)
    {
        const double damping = 0.05;
        int n = model.DegreesOfFreedom;
        var a = new double[3, 3];
        for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
        {
            double sum = r == c ? damping * damping : 0;
            for (int j = 0; j < n; j++) sum += jacobian[n * r + j] * jacobian[n * c + j];
            a[r, c] = sum;
        }
        Vec3 y = Solve3(a, velocity);
        for (int j = 0; j < n; j++)
        {
            double qd = jacobian[j] * y.X + jacobian[n + j] * y.Y + jacobian[2 * n + j] * y.Z;
            action[j] = (float)Math.Clamp(qd / (actionScale * model.MaxVelocities[j]), -1, 1);
        }
    }

    /// <summary>Cramer's rule for a 3×3 system.</summary>
    private static Vec3 Solve3(double[,] a, Vec3 b)
    {
        static double Det(double[,] m) =>
            m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
            - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
            + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        double det = Det(a);
        double Column(int k)
        {
            var m = (double[,])a.Clone();
            m[0, k] = b.X; m[1, k] = b.Y; m[2, k] = b.Z;
            return Det(m) / det;
        }
        return new Vec3(Column(0), Column(1), Column(2));
    }
}
