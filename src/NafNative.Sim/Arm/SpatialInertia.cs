namespace NafNative.Sim.Arm;

/// <summary>A symmetric 6×6 spatial inertia [A B; Bᵀ D] mapping motions to forces, world coordinates at the world
/// origin: a rigid body's inertia or an articulated-body inertia.</summary>
/// <remarks>A and D are symmetric 3×3 blocks (A angular–angular, D linear–linear); B couples them.</remarks>
public readonly record struct SpatialInertia(Mat3 A, Mat3 B, Mat3 D)
{
    /// <summary>A rigid body of <paramref name="mass"/> kg with its centre of mass at <paramref name="centerOfMass"/>
    /// and rotational inertia <paramref name="inertiaAtCom"/> about it (both world coordinates):
    /// A = I_c − m[c]×², B = m[c]×, D = m·1.</summary>
    public static SpatialInertia RigidBody(double mass, Vec3 centerOfMass, Mat3 inertiaAtCom)
    {
        Mat3 cx = Mat3.CrossMatrix(centerOfMass);
        return new(inertiaAtCom - mass * (cx * cx), mass * cx, Mat3.Scalar(mass));
    }

    /// <summary>I m: (A ω + B v, Bᵀ ω + D v).</summary>
    public static SpatialVector operator *(SpatialInertia inertia, SpatialVector m) =>
        new(inertia.A * m.Angular + inertia.B * m.Linear, inertia.B.TransposeTimes(m.Angular) + inertia.D * m.Linear);

    public static SpatialInertia operator +(SpatialInertia a, SpatialInertia b) => new(a.A + b.A, a.B + b.B, a.D + b.D);

    /// <summary>I − u uᵀ / d, the articulated-body update for a joint with U = u and D = d.</summary>
    public SpatialInertia SubtractOuter(SpatialVector u, double d)
    {
        double s = 1.0 / d;
        return new(
            A - s * Mat3.Outer(u.Angular, u.Angular),
            B - s * Mat3.Outer(u.Angular, u.Linear),
            D - s * Mat3.Outer(u.Linear, u.Linear));
    }
}
