using System.Numerics;

namespace NafNative.Safety;

/// <summary><see cref="WorkspaceRule.Slide"/>: removes the outward part of a command that the workspace rule refused,
/// keeping the motion along the box's faces.</summary>
/// <remarks>
/// <para>Method: a finite-difference Jacobian J of the end-effector position (one forward-kinematics call per joint);
/// for each axis on which the exact prediction p′ leaves the box, the smallest joint-space change (along that row of
/// J) that limits the axis's linear displacement to half the distance left to the face, minus 0.1 mm (so an arm on
/// the face moves slightly in, and the next step's curvature does not carry it out); three sweeps over the axes.</para>
/// <para>The result is only a proposal: the speed and joint-range rules are applied again and it must pass the same
/// exact test as any command (p″ inside the box, or closer to it than p), halving it up to four times; otherwise the
/// caller stops the arm. So the slide can never let out what the stop rule would have kept in.</para>
/// </remarks>
internal static class WorkspaceSlide
{
    // Finite-difference step (rad or m): far above float rounding of a metre-scale position (≈ 1e-7), far below the
    // curvature scale of an arm's kinematics.
    private const float Step = 1e-3f;
    // How far inside the face (m) a slid step aims, so an end effector on the face is not carried out by curvature.
    private const float Inset = 1e-4f;
    private const int Sweeps = 3, Halvings = 4;

    /// <summary>Rewrites <paramref name="velocity"/> (the refused command) into one without its outward part and
    /// returns true, or returns false when none passes the exact test (then the caller stops the arm).</summary>
    public static bool TryRemoveOutward<TKinematics>(SafetyFilter filter, ReadOnlySpan<float> joints, in TKinematics kinematics,
        Vector3 now, float outsideNow, Vector3 then, Span<float> velocity)
        where TKinematics : IForwardKinematics
    {
        int n = joints.Length;
        float dt = filter.ControlPeriodSeconds;
        Vector3 min = filter.WorkspaceMin, max = filter.WorkspaceMax;
        Span<float> jacobian = stackalloc float[3 * SafetyLimits.MaxJoints];
        Span<float> probe = stackalloc float[SafetyLimits.MaxJoints];
        probe = probe[..n];
        joints.CopyTo(probe);
        for (int i = 0; i < n; i++)
        {
            probe[i] = joints[i] + Step;
            Vector3 moved = kinematics.EndEffectorPosition(probe);
            probe[i] = joints[i];
            if (!(float.IsFinite(moved.X) && float.IsFinite(moved.Y) && float.IsFinite(moved.Z))) return false;
            Vector3 column = (moved - now) / Step;
            jacobian[i] = column.X;
            jacobian[n + i] = column.Y;
            jacobian[2 * n + i] = column.Z;
        }

        for (int sweep = 0; sweep < Sweeps; sweep++)
        {
            for (int axis = 0; axis < 3; axis++)
            {
                if (then[axis] <= max[axis] && then[axis] >= min[axis]) continue; // this axis did not leave the box
                ReadOnlySpan<float> row = jacobian.Slice(axis * n, n);
                float displacement = 0, norm2 = 0;
                for (int i = 0; i < n; i++)
                {
                    displacement += row[i] * velocity[i];
                    norm2 += row[i] * row[i];
                }
                displacement *= dt;
                float upper = MathF.Max(0.5f * (max[axis] - now[axis]), 0) - Inset;
                float lower = MathF.Min(0.5f * (min[axis] - now[axis]), 0) + Inset;
                float allowed = Math.Clamp(displacement, lower, upper);
                if (displacement == allowed) continue;
                if (!(norm2 > 1e-12f)) return false; // the joints cannot move the end effector along this axis
                float scale = (displacement - allowed) / (dt * norm2);
                for (int i = 0; i < n; i++) velocity[i] -= scale * row[i];
            }
        }

        // The rules that act on the proposal are not reported: the command as a whole is reported as slid.
        var ignored = SafetyInterventions.None;
        for (int halving = 0; halving <= Halvings; halving++)
        {
            bool moving = false;
            for (int i = 0; i < n; i++)
            {
                velocity[i] = filter.SpeedAndRange(i, velocity[i], joints[i], ref ignored);
                moving |= velocity[i] != 0;
                probe[i] = joints[i] + velocity[i] * dt;
            }
            if (!moving) return false;
            float outside = filter.DistanceOutside(kinematics.EndEffectorPosition(probe));
            if (!float.IsFinite(outside)) return false;
            if (outside == 0 || outside < outsideNow) return true;
            for (int i = 0; i < n; i++) velocity[i] *= 0.5f;
        }
        return false;
    }
}
