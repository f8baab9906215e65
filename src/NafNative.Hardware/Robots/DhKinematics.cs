using System.Numerics;
using NafNative.Safety;

namespace NafNative.Hardware.Robots;

/// <summary>One row of a Denavit–Hartenberg table (classic convention): link length a (m), twist α (rad), offset d
/// (m) and a constant added to the joint angle θ (rad).</summary>
public readonly record struct DhRow(double A, double Alpha, double D, double ThetaOffset);

/// <summary>Forward kinematics from a DH table: T = Π Rot_z(q_i + θ0_i) · Trans_z(d_i) · Trans_x(a_i) · Rot_x(α_i),
/// then the tool point in the last frame.</summary>
/// <remarks>Pure and allocation-free (double precision inside); safe to call from any thread.</remarks>
public sealed class DhKinematics : IForwardKinematics
{
    private readonly DhRow[] _rows;
    private readonly Vector3 _tool;

    public DhKinematics(DhRow[] rows, Vector3 tool)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0) throw new ArgumentException("DhKinematics: the table has no rows.", nameof(rows));
        _rows = (DhRow[])rows.Clone();
        _tool = tool;
    }

    public Vector3 EndEffectorPosition(ReadOnlySpan<float> jointPositions)
    {
        if (jointPositions.Length != _rows.Length)
            throw new ArgumentException($"DhKinematics: {jointPositions.Length} joint positions for a {_rows.Length}-row table.", nameof(jointPositions));
        // Rotation R (row-major 3×3) and origin p of the current frame in the base frame.
        double r00 = 1, r01 = 0, r02 = 0, r10 = 0, r11 = 1, r12 = 0, r20 = 0, r21 = 0, r22 = 1, px = 0, py = 0, pz = 0;
        for (int i = 0; i < _rows.Length; i++)
        {
            var row = _rows[i];
            double theta = jointPositions[i] + row.ThetaOffset;
            double ct = Math.Cos(theta), st = Math.Sin(theta), ca = Math.Cos(row.Alpha), sa = Math.Sin(row.Alpha);
            // Local transform A = [[ct, −st·ca, st·sa, a·ct], [st, ct·ca, −ct·sa, a·st], [0, sa, ca, d]].
            double a00 = ct, a01 = -st * ca, a02 = st * sa, a03 = row.A * ct;
            double a10 = st, a11 = ct * ca, a12 = -ct * sa, a13 = row.A * st;
            double a20 = 0, a21 = sa, a22 = ca, a23 = row.D;
            double n00 = r00 * a00 + r01 * a10 + r02 * a20, n01 = r00 * a01 + r01 * a11 + r02 * a21, n02 = r00 * a02 + r01 * a12 + r02 * a22;
            double n10 = r10 * a00 + r11 * a10 + r12 * a20, n11 = r10 * a01 + r11 * a11 + r12 * a21, n12 = r10 * a02 + r11 * a12 + r12 * a22;
            double n20 = r20 * a00 + r21 * a10 + r22 * a20, n21 = r20 * a01 + r21 * a11 + r22 * a21, n22 = r20 * a02 + r21 * a12 + r22 * a22;
            px += r00 * a03 + r01 * a13 + r02 * a23;
            py += r10 * a03 + r11 * a13 + r12 * a23;
            pz += r20 * a03 + r21 * a13 + r22 * a23;
            (r00, r01, r02, r10, r11, r12, r20, r21, r22) = (n00, n01, n02, n10, n11, n12, n20, n21, n22);
        }
        double tx = _tool.X, ty = _tool.Y, tz = _tool.Z;
        return new Vector3((float)(px + r00 * tx + r01 * ty + r02 * tz), (float)(py + r10 * tx + r11 * ty + r12 * tz),
            (float)(pz + r20 * tx + r21 * ty + r22 * tz));
    }
}
