using NafNative.Sim.Arm;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Arm;

public sealed class ArmSimulatorTests
{
    private const int N = 7;

    /// <summary>Releases the frictionless, uncontrolled, unlimited arm from <see cref="ArmTestUtil.ReleasePose"/> and
    /// returns (max |E(t) − E(0)|, max kinetic energy) over <paramref name="seconds"/>. The fall reaches ~77 J of
    /// kinetic energy and joint speeds up to ~12 rad/s: a hard, chaotic case.</summary>
    private static (double Drift, double MaxKinetic) ReleaseAndMeasure(ArmIntegrator integrator, double step, double seconds)
    {
        ArmModel model = ArmTestUtil.Frictionless();
        var sim = new ArmSimulator(model, new ArmSimulatorOptions
        {
            PhysicsStep = step, ControlRate = 1 / (10 * step), Integrator = integrator, EnforceJointLimits = false,
        });
        var energy = new ArmDynamics(model);
        sim.SetState(ArmTestUtil.ReleasePose, new double[N]);
        double e0 = ArmTestUtil.TotalEnergy(energy, sim.Positions, sim.Velocities);
        double drift = 0, maxKinetic = 0;
        var zero = new double[N];
        int steps = (int)Math.Round(seconds / step);
        for (int k = 0; k < steps; k++)
        {
            sim.StepPhysics(zero);
            double kinetic = energy.KineticEnergy(sim.Positions, sim.Velocities);
            drift = Math.Max(drift, Math.Abs(kinetic + energy.PotentialEnergy(sim.Positions) - e0));
            maxKinetic = Math.Max(maxKinetic, kinetic);
        }
        return (drift, maxKinetic);
    }

    [Test]
    public void StepPhysics_RungeKutta4At2msNoDampingNoControl_ConservesEnergyOver10sTo1e4J()
    {
        // Measured: 1.3e-5 J of drift against ~77 J of peak kinetic energy (1.7e-7 relative); 1 ms gives 7e-7 J (O(h⁴)).
        var (drift, maxKinetic) = ReleaseAndMeasure(ArmIntegrator.RungeKutta4, 0.002, 10);
        Assert.That(maxKinetic, Is.GreaterThan(50), "the test must exercise fast motion");
        Assert.That(drift, Is.LessThan(1e-4), "max |ΔE| (J) over 10 s");
    }

    [Test]
    public void StepPhysics_SemiImplicitEulerAt2msNoDampingNoControl_EnergyErrorBoundedAndFirstOrder()
    {
        // Semi-implicit Euler on q̇ (not on momentum) is first order and, with a configuration-dependent mass matrix,
        // not symplectic: energy error O(h). Measured over the first second: 4.4 J (5.6% of the 78 J peak kinetic
        // energy) at 2 ms, 2.2 J at 1 ms, 1.1 J at 0.5 ms. Bound: 8% at 2 ms, and halving h halves it.
        // The reach task is damped and velocity-controlled, where this error is dissipated; use RK4 for free motion.
        var (drift2, maxKinetic) = ReleaseAndMeasure(ArmIntegrator.SemiImplicitEuler, 0.002, 1);
        var (drift1, _) = ReleaseAndMeasure(ArmIntegrator.SemiImplicitEuler, 0.001, 1);
        var (drift05, _) = ReleaseAndMeasure(ArmIntegrator.SemiImplicitEuler, 0.0005, 1);
        Assert.That(drift2 / maxKinetic, Is.LessThan(0.08), "relative energy error over 1 s at 2 ms");
        Assert.That(drift2 / drift1, Is.InRange(1.8, 2.2), "first-order convergence 2 ms → 1 ms");
        Assert.That(drift1 / drift05, Is.InRange(1.8, 2.2), "first-order convergence 1 ms → 0.5 ms");
    }

    [TestCase(ArmIntegrator.SemiImplicitEuler)]
    [TestCase(ArmIntegrator.RungeKutta4)]
    public void StepPhysics_WithFrictionNoControl_EnergyNeverRises(ArmIntegrator integrator)
    {
        // Friction only removes energy: dE/dt = −Σ b q̇². The 10 mJ slack per step covers the integrator's own error.
        ArmModel model = ArmTestUtil.Frictionless() with { Damping = [2, 2, 2, 2, 2, 2, 2] };
        var sim = new ArmSimulator(model, new ArmSimulatorOptions { Integrator = integrator, EnforceJointLimits = false });
        var energy = new ArmDynamics(model);
        sim.SetState(ArmTestUtil.ReleasePose, new double[N]);
        double previous = ArmTestUtil.TotalEnergy(energy, sim.Positions, sim.Velocities), start = previous;
        var zero = new double[N];
        for (int k = 0; k < 2500; k++)
        {
            sim.StepPhysics(zero);
            double e = ArmTestUtil.TotalEnergy(energy, sim.Positions, sim.Velocities);
            Assert.That(e, Is.LessThanOrEqualTo(previous + 0.01), $"step {k}");
            previous = e;
        }
        Assert.That(previous, Is.LessThan(start - 1), "5 s of friction must dissipate energy");
    }

    [Test]
    public void StepControl_MaxCommandsFor10s_JointsStayInsideLimitsAndReachThem()
    {
        ArmModel model = ArmModel.Iiwa14();
        var sim = new ArmSimulator(model);
        sim.SetState(new double[N], new double[N]);
        var command = new double[N];
        foreach (double sign in new[] { 1.0, -1.0 })
        {
            for (int i = 0; i < N; i++) command[i] = sign * model.MaxVelocities[i];
            for (int k = 0; k < 200; k++)
            {
                sim.StepControl(command);
                for (int i = 0; i < N; i++)
                    Assert.That(sim.Positions[i], Is.InRange(model.LowerLimits[i], model.UpperLimits[i]), $"sign {sign}, step {k}, joint {i}");
            }
            for (int i = 0; i < N; i++)
            {
                double limit = sign > 0 ? model.UpperLimits[i] : model.LowerLimits[i];
                Assert.That(sim.Positions[i], Is.EqualTo(limit), $"joint {i} must rest on its limit");
                Assert.That(sim.Velocities[i], Is.EqualTo(0), $"joint {i}'s velocity into the limit must be zero");
            }
        }
    }

    [Test]
    public void SetState_OutsideLimits_ClampsIntoThem()
    {
        ArmModel model = ArmModel.Iiwa14();
        var sim = new ArmSimulator(model);
        sim.SetState([4, -4, 0, 0, 0, 0, 0], [1, -1, 0, 0, 0, 0, 0]);
        Assert.That(sim.Positions[0], Is.EqualTo(model.UpperLimits[0]));
        Assert.That(sim.Positions[1], Is.EqualTo(model.LowerLimits[1]));
        Assert.That(sim.Velocities[0], Is.EqualTo(0));
        Assert.That(sim.Velocities[1], Is.EqualTo(0));
    }

    [Test]
    public void StepControl_SameStateAndCommands_BitIdentical()
    {
        var a = new ArmSimulator(ArmModel.Iiwa14());
        var b = new ArmSimulator(ArmModel.Iiwa14());
        double[] q = [0.1, 0.5, -0.2, -1.4, 0.3, 1.0, -0.1];
        a.SetState(q, new double[N]);
        b.SetState(q, new double[N]);
        var random = new Random(5);
        var command = new double[N];
        for (int k = 0; k < 300; k++)
        {
            for (int i = 0; i < N; i++) command[i] = 2 * random.NextDouble() - 1;
            a.StepControl(command);
            b.StepControl(command);
            for (int i = 0; i < N; i++)
            {
                Assert.That(BitConverter.DoubleToInt64Bits(a.Positions[i]), Is.EqualTo(BitConverter.DoubleToInt64Bits(b.Positions[i])), $"q[{i}] step {k}");
                Assert.That(BitConverter.DoubleToInt64Bits(a.Velocities[i]), Is.EqualTo(BitConverter.DoubleToInt64Bits(b.Velocities[i])), $"q̇[{i}] step {k}");
            }
        }
    }

    [TestCase(ArmIntegrator.SemiImplicitEuler)]
    [TestCase(ArmIntegrator.RungeKutta4)]
    public void StepControl_ConstantCommand_TracksWithin3PercentAfterThreeControlSteps(ArmIntegrator integrator)
    {
        ArmModel model = ArmModel.Iiwa14();
        var sim = new ArmSimulator(model, new ArmSimulatorOptions { Integrator = integrator });
        sim.SetState([0, 0.5, 0, -1.5, 0, 1.14, 0], new double[N]);
        var command = new double[N];
        for (int i = 0; i < N; i++) command[i] = 0.5 * model.MaxVelocities[i];
        for (int k = 0; k < 3; k++) sim.StepControl(command);
        for (int i = 0; i < N; i++)
            Assert.That(sim.Velocities[i], Is.EqualTo(command[i]).Within(0.03 * command[i]), $"joint {i}");
    }

    [Test]
    public void StepControl_ZeroCommandFromRest_HoldsPoseAgainstGravity()
    {
        var sim = new ArmSimulator(ArmModel.Iiwa14());
        double[] q = [0.2, 0.7, -0.3, -1.2, 0.4, 0.9, 0.1];
        sim.SetState(q, new double[N]);
        var zero = new double[N];
        for (int k = 0; k < 100; k++) sim.StepControl(zero);
        for (int i = 0; i < N; i++) Assert.That(sim.Positions[i], Is.EqualTo(q[i]).Within(1e-9), $"joint {i}");
    }

    [Test]
    public void StepControl_WithoutGravityCompensation_ArmSags()
    {
        var sim = new ArmSimulator(ArmModel.Iiwa14(), new ArmSimulatorOptions { GravityCompensation = false });
        double[] q = [0, 0.7, 0, -1.2, 0, 0.9, 0];
        sim.SetState(q, new double[N]);
        var zero = new double[N];
        for (int k = 0; k < 20; k++) sim.StepControl(zero);
        Assert.That(Math.Abs(sim.Positions[1] - q[1]), Is.GreaterThan(0.01), "the shoulder must droop without g(q)");
    }

    [Test]
    public void StepControl_EndEffectorVelocity_MatchesPositionChangeOverAShortStep()
    {
        var sim = new ArmSimulator(ArmModel.Iiwa14(), new ArmSimulatorOptions { ControlRate = 500 }); // one 2 ms step
        sim.SetState([0, 0.5, 0, -1.5, 0, 1.14, 0], new double[N]);
        double[] command = [0.3, -0.2, 0.1, 0.2, 0, 0.1, 0];
        for (int k = 0; k < 50; k++) sim.StepControl(command); // steady motion
        Vec3 before = sim.EndEffectorPosition, velocityBefore = sim.EndEffectorVelocity;
        sim.StepControl(command);
        Vec3 estimated = (1 / 0.002) * (sim.EndEffectorPosition - before);
        Vec3 mean = 0.5 * (velocityBefore + sim.EndEffectorVelocity);
        Assert.That((estimated - mean).Length, Is.LessThan(1e-3), "(Δp/h vs mean reported velocity, m/s)");
    }

    [Test]
    public void StepControl_NaNCommand_ThrowsAndLeavesStateUnchanged()
    {
        var sim = new ArmSimulator(ArmModel.Iiwa14());
        sim.SetState([0, 0.5, 0, -1.5, 0, 1.14, 0], new double[N]);
        double[] before = sim.Positions.ToArray();
        Assert.Throws<ArgumentException>(() => sim.StepControl([0, 0, double.NaN, 0, 0, 0, 0]));
        Assert.That(sim.Positions.ToArray(), Is.EqualTo(before));
        Assert.That(sim.Time, Is.EqualTo(0));
    }

    [Test]
    public void Constructor_RungeKutta4WithTooLargeStep_ThrowsNamingJoint()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ArmSimulator(ArmModel.Iiwa14(),
            new ArmSimulatorOptions { Integrator = ArmIntegrator.RungeKutta4, PhysicsStep = 0.01 }));
        Assert.That(ex!.Message, Does.Contain("joint 0"));
    }

    [Test]
    public void Constructor_StepNotDividingControlPeriod_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ArmSimulator(ArmModel.Iiwa14(),
            new ArmSimulatorOptions { PhysicsStep = 0.003 }));
        Assert.That(ex!.Message, Does.Contain("PhysicsStep"));
    }

    [Test]
    public void Substeps_DefaultOptions_Is25()
    {
        var sim = new ArmSimulator(ArmModel.Iiwa14());
        Assert.That(sim.Substeps, Is.EqualTo(25));
        sim.SetState(new double[N], new double[N]);
        sim.StepControl(new double[N]);
        Assert.That(sim.Time, Is.EqualTo(0.05).Within(1e-15));
    }
}
