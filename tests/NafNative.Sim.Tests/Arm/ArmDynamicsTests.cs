using NafNative.Sim.Arm;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Arm;

public sealed class ArmDynamicsTests
{
    private const int N = 7;
    private static readonly ArmModel Model = ArmModel.Iiwa14();

    [Test]
    public void EndEffectorPositionAt_AllZeros_IsStraightUp()
    {
        var dynamics = new ArmDynamics(Model);
        Vec3 ee = dynamics.EndEffectorPositionAt(new double[N]);
        // 0.1575 + 0.2025 + 0.2045 + 0.2155 + 0.1845 + 0.2155 + 0.081 + 0.145 = 1.406 m.
        AssertClose(ee, new Vec3(0, 0, 1.406), 1e-12);
    }

    [TestCase(0, Math.PI / 2, 0, 0, 1.046, 0, 0.36, TestName = "EndEffectorPositionAt_ShoulderForward90_IsHorizontalAtShoulderHeight")]
    [TestCase(Math.PI / 2, Math.PI / 2, 0, 0, 0, 1.046, 0.36, TestName = "EndEffectorPositionAt_BaseLeft90ShoulderForward90_PointsAlongY")]
    [TestCase(0, 0, 0, -Math.PI / 2, 0.626, 0, 0.78, TestName = "EndEffectorPositionAt_ElbowMinus90_ForearmPointsForwardAtElbowHeight")]
    [TestCase(0, Math.PI / 2, Math.PI / 2, 0, 1.046, 0, 0.36, TestName = "EndEffectorPositionAt_TwistAboutLinkAxis_DoesNotMoveTip")]
    public void EndEffectorPositionAt_HandComputedPose_Matches(double q1, double q2, double q3, double q4, double x, double y, double z)
    {
        // Shoulder (J2) at 0.36 m; J2→tip 0.42 + 0.40 + 0.226 = 1.046 m; elbow (J4) at 0.78 m; J4→tip 0.626 m.
        var dynamics = new ArmDynamics(Model);
        Vec3 ee = dynamics.EndEffectorPositionAt([q1, q2, q3, q4, 0, 0, 0]);
        AssertClose(ee, new Vec3(x, y, z), 1e-12);
    }

    [Test]
    public void LinearJacobian_RandomConfigurations_MatchesCentralDifferencesOfForwardKinematics()
    {
        var dynamics = new ArmDynamics(Model);
        var random = new Random(11);
        double[] q = new double[N], qd = new double[N], tau = new double[N], jacobian = new double[3 * N], shifted = new double[N];
        const double h = 1e-6;
        for (int trial = 0; trial < 20; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, tau);
            dynamics.SetConfiguration(q);
            dynamics.LinearJacobian(jacobian);
            for (int j = 0; j < N; j++)
            {
                q.CopyTo(shifted, 0);
                shifted[j] = q[j] + h;
                Vec3 plus = dynamics.EndEffectorPositionAt(shifted);
                shifted[j] = q[j] - h;
                Vec3 minus = dynamics.EndEffectorPositionAt(shifted);
                Vec3 column = (1 / (2 * h)) * (plus - minus);
                Assert.That(jacobian[j], Is.EqualTo(column.X).Within(1e-8), $"trial {trial}, dx/dq{j}");
                Assert.That(jacobian[N + j], Is.EqualTo(column.Y).Within(1e-8), $"trial {trial}, dy/dq{j}");
                Assert.That(jacobian[2 * N + j], Is.EqualTo(column.Z).Within(1e-8), $"trial {trial}, dz/dq{j}");
            }
        }
    }

    [Test]
    public void EndEffectorVelocity_RandomStates_EqualsJacobianTimesJointVelocity()
    {
        var dynamics = new ArmDynamics(Model);
        var random = new Random(12);
        double[] q = new double[N], qd = new double[N], tau = new double[N], jacobian = new double[3 * N];
        for (int trial = 0; trial < 20; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, tau);
            dynamics.SetConfiguration(q);
            dynamics.LinearJacobian(jacobian);
            Vec3 expected = Vec3.Zero;
            for (int j = 0; j < N; j++) expected += qd[j] * new Vec3(jacobian[j], jacobian[N + j], jacobian[2 * N + j]);
            AssertClose(dynamics.EndEffectorVelocity(qd), expected, 1e-12);
        }
    }

    [Test]
    public void ForwardThenInverseDynamics_RandomStates_RoundTripsTorqueTo1e9()
    {
        var dynamics = new ArmDynamics(Model);
        var random = new Random(13);
        double[] q = new double[N], qd = new double[N], tau = new double[N], qdd = new double[N], back = new double[N];
        double worst = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, tau);
            dynamics.ForwardDynamics(q, qd, tau, qdd);
            dynamics.InverseDynamics(q, qd, qdd, back);
            for (int i = 0; i < N; i++) worst = Math.Max(worst, Math.Abs(back[i] - tau[i]));
        }
        Assert.That(worst, Is.LessThan(1e-9), "max |RNEA(ABA(τ)) − τ| over 200 random states (N·m)");
    }

    [Test]
    public void InverseThenForwardDynamics_RandomStates_RoundTripsAccelerationTo1e9()
    {
        var dynamics = new ArmDynamics(Model);
        var random = new Random(14);
        double[] q = new double[N], qd = new double[N], qdd = new double[N], tau = new double[N], back = new double[N];
        for (int trial = 0; trial < 200; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, qdd); // reuse the ±50 draw as accelerations (rad/s²)
            dynamics.InverseDynamics(q, qd, qdd, tau);
            dynamics.ForwardDynamics(q, qd, tau, back);
            for (int i = 0; i < N; i++) Assert.That(back[i], Is.EqualTo(qdd[i]).Within(1e-9), $"trial {trial}, joint {i}");
        }
    }

    [Test]
    public void ForwardDynamics_ExtraArmature_SolvesWithArmatureAddedToTheDiagonal()
    {
        // (M + diag(extra)) q̈ = τ − C − g, so RNEA(q̈) + extra·q̈ must give τ back: the integrator's implicit damping.
        var dynamics = new ArmDynamics(Model);
        var random = new Random(15);
        double[] q = new double[N], qd = new double[N], tau = new double[N], qdd = new double[N], back = new double[N];
        double[] extra = [0.24, 0.24, 0.12, 0.12, 0.03, 0.03, 0.016];
        for (int trial = 0; trial < 50; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, tau);
            dynamics.ForwardDynamics(q, qd, tau, qdd, extra);
            dynamics.InverseDynamics(q, qd, qdd, back);
            for (int i = 0; i < N; i++) Assert.That(back[i] + extra[i] * qdd[i], Is.EqualTo(tau[i]).Within(1e-9), $"trial {trial}, joint {i}");
        }
    }

    [Test]
    public void MassMatrix_FromInverseDynamics_IsSymmetricPositiveDefiniteAndMatchesKineticEnergy()
    {
        var dynamics = new ArmDynamics(Model);
        var random = new Random(16);
        double[] q = new double[N], qd = new double[N], tau = new double[N], unit = new double[N], g = new double[N], zero = new double[N];
        var m = new double[N, N];
        for (int trial = 0; trial < 10; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, tau);
            dynamics.GravityTorques(q, g);
            for (int j = 0; j < N; j++)
            {
                Array.Clear(unit);
                unit[j] = 1;
                dynamics.InverseDynamics(q, zero, unit, tau);
                for (int i = 0; i < N; i++) m[i, j] = tau[i] - g[i];
            }
            double quadratic = 0;
            for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
            {
                Assert.That(m[i, j], Is.EqualTo(m[j, i]).Within(1e-12), $"M[{i},{j}] vs M[{j},{i}]");
                quadratic += qd[i] * m[i, j] * qd[j];
            }
            Assert.That(dynamics.KineticEnergy(q, qd), Is.EqualTo(0.5 * quadratic).Within(1e-12 * quadratic), "T = ½ q̇ᵀ M q̇");
            Assert.That(CholeskySucceeds(m), Is.True, "M must be positive definite");
        }
    }

    [Test]
    public void GravityTorques_MatchNegativeGradientOfPotentialEnergy()
    {
        // g(q) = ∂U/∂q: the torque needed to hold the arm still.
        var dynamics = new ArmDynamics(Model);
        var random = new Random(17);
        double[] q = new double[N], qd = new double[N], tau = new double[N], g = new double[N], shifted = new double[N];
        const double h = 1e-6;
        for (int trial = 0; trial < 10; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, tau);
            dynamics.GravityTorques(q, g);
            for (int j = 0; j < N; j++)
            {
                q.CopyTo(shifted, 0);
                shifted[j] = q[j] + h;
                double plus = dynamics.PotentialEnergy(shifted);
                shifted[j] = q[j] - h;
                double minus = dynamics.PotentialEnergy(shifted);
                Assert.That(g[j], Is.EqualTo((plus - minus) / (2 * h)).Within(1e-6), $"trial {trial}, joint {j}");
            }
        }
    }

    [Test]
    public void ForwardDynamics_PowerBalance_EnergyRateEqualsJointPower()
    {
        // dE/dt = q̇ᵀτ along the exact dynamics (central difference of E along (q̇, q̈) from the ABA).
        var dynamics = new ArmDynamics(Model);
        var random = new Random(18);
        double[] q = new double[N], qd = new double[N], tau = new double[N], qdd = new double[N];
        double[] qPlus = new double[N], qdPlus = new double[N], qMinus = new double[N], qdMinus = new double[N];
        const double h = 1e-5;
        for (int trial = 0; trial < 20; trial++)
        {
            ArmTestUtil.RandomState(random, Model, q, qd, tau);
            dynamics.ForwardDynamics(q, qd, tau, qdd);
            double power = 0;
            for (int i = 0; i < N; i++)
            {
                qPlus[i] = q[i] + h * qd[i];
                qdPlus[i] = qd[i] + h * qdd[i];
                qMinus[i] = q[i] - h * qd[i];
                qdMinus[i] = qd[i] - h * qdd[i];
                power += qd[i] * tau[i];
            }
            double rate = (ArmTestUtil.TotalEnergy(dynamics, qPlus, qdPlus) - ArmTestUtil.TotalEnergy(dynamics, qMinus, qdMinus)) / (2 * h);
            Assert.That(rate, Is.EqualTo(power).Within(1e-5 * (1 + Math.Abs(power))), $"trial {trial}");
        }
    }

    [Test]
    public void Constructor_InconsistentModel_ThrowsNamingField()
    {
        ArmModel bad = Model with { LinkMasses = [1, 2, 3] };
        var ex = Assert.Throws<ArgumentException>(() => new ArmDynamics(bad));
        Assert.That(ex!.Message, Does.Contain("LinkMasses"));
    }

    [Test]
    public void ForwardDynamics_WrongLength_Throws()
    {
        var dynamics = new ArmDynamics(Model);
        Assert.Throws<ArgumentException>(() => dynamics.ForwardDynamics(new double[N], new double[N], new double[3], new double[N]));
    }

    private static bool CholeskySucceeds(double[,] a)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
        {
            double sum = a[i, j];
            for (int k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
            if (i == j)
            {
                if (sum <= 0) return false;
                l[i, i] = Math.Sqrt(sum);
            }
            else
            {
                l[i, j] = sum / l[j, j];
            }
        }
        return true;
    }

    private static void AssertClose(Vec3 actual, Vec3 expected, double tolerance)
    {
        Assert.That(actual.X, Is.EqualTo(expected.X).Within(tolerance), "x");
        Assert.That(actual.Y, Is.EqualTo(expected.Y).Within(tolerance), "y");
        Assert.That(actual.Z, Is.EqualTo(expected.Z).Within(tolerance), "z");
    }
}
