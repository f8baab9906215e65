using NafNative.Recording;
using NafNative.Sim.Arm;

namespace NafNative.Sim.Recording;

/// <summary>An <see cref="ArmModel"/>'s kinematics as recording data, so a viewer draws the very arm the simulator ran.</summary>
public static class ArmDescriptions
{
    /// <summary>Drawing radii taper from the base link to the last one (m), as the link capsules of
    /// iiwa14_gripper.xml do (7 cm to 4 cm); the simulator itself has no link shapes.</summary>
    private const float BaseRadius = 0.07f, TipRadius = 0.04f;

    public static ArmDescription From(ArmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        int n = model.DegreesOfFreedom;
        var radii = new float[n];
        for (int i = 0; i < n; i++) radii[i] = n == 1 ? BaseRadius : BaseRadius + (TipRadius - BaseRadius) * i / (n - 1);
        return new ArmDescription(model.Name, model.JointOffsets.Select(Floats).ToArray(), model.JointAxes.Select(Floats).ToArray(),
            Floats(model.EndEffectorOffset), radii, model.LowerLimits.Select(v => (float)v).ToArray(), model.UpperLimits.Select(v => (float)v).ToArray());
    }

    internal static float[] Floats(Vec3 v) => [(float)v.X, (float)v.Y, (float)v.Z];
}
