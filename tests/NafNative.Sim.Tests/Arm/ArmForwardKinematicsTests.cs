using System.Numerics;
using NafNative.Sim.Arm;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Arm;

public sealed class ArmForwardKinematicsTests
{
    [Test]
    public void EndEffectorPosition_RandomConfigurations_AgreesWithArmDynamics()
    {
        ArmModel model = ArmModel.Iiwa14();
        var kinematics = new ArmForwardKinematics(model);
        var dynamics = new ArmDynamics(model);
        var random = new Random(21);
        var qf = new float[7];
        var q = new double[7];
        for (int trial = 0; trial < 100; trial++)
        {
            for (int i = 0; i < 7; i++)
            {
                qf[i] = (float)(6 * random.NextDouble() - 3);
                q[i] = qf[i];
            }
            Vector3 p = kinematics.EndEffectorPosition(qf);
            Vec3 expected = dynamics.EndEffectorPositionAt(q);
            Assert.That(p.X, Is.EqualTo((float)expected.X).Within(1e-6f), $"trial {trial}");
            Assert.That(p.Y, Is.EqualTo((float)expected.Y).Within(1e-6f), $"trial {trial}");
            Assert.That(p.Z, Is.EqualTo((float)expected.Z).Within(1e-6f), $"trial {trial}");
        }
    }

    [Test]
    public void EndEffectorPosition_AllZeros_IsStraightUpAndAllocatesNothing()
    {
        var kinematics = new ArmForwardKinematics(ArmModel.Iiwa14());
        var zeros = new float[7];
        kinematics.EndEffectorPosition(zeros);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Vector3 p = kinematics.EndEffectorPosition(zeros);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(p, Is.EqualTo(new Vector3(0, 0, 1.406f)));
    }
}
