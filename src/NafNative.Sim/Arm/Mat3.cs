namespace NafNative.Sim.Arm;

/// <summary>A 3×3 matrix of doubles, row-major: rotations and 3×3 inertia blocks.</summary>
public readonly record struct Mat3(
    double M00, double M01, double M02,
    double M10, double M11, double M12,
    double M20, double M21, double M22)
{
    public static Mat3 Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    public static Mat3 Diagonal(Vec3 d) => new(d.X, 0, 0, 0, d.Y, 0, 0, 0, d.Z);

    public static Mat3 Scalar(double s) => new(s, 0, 0, 0, s, 0, 0, 0, s);

    /// <summary>[a]×, the matrix with [a]× b = a × b.</summary>
    public static Mat3 CrossMatrix(Vec3 a) => new(0, -a.Z, a.Y, a.Z, 0, -a.X, -a.Y, a.X, 0);

    /// <summary>a bᵀ.</summary>
    public static Mat3 Outer(Vec3 a, Vec3 b) => new(
        a.X * b.X, a.X * b.Y, a.X * b.Z,
        a.Y * b.X, a.Y * b.Y, a.Y * b.Z,
        a.Z * b.X, a.Z * b.Y, a.Z * b.Z);

    /// <summary>Rotation by <paramref name="angle"/> radians about the unit <paramref name="axis"/> (Rodrigues).</summary>
    public static Mat3 Rotation(Vec3 axis, double angle)
    {
        double s = Math.Sin(angle), c = Math.Cos(angle), t = 1 - c;
        double x = axis.X, y = axis.Y, z = axis.Z;
        return new(
            t * x * x + c, t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, t * y * y + c, t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, t * z * z + c);
    }

    public Mat3 Transpose() => new(M00, M10, M20, M01, M11, M21, M02, M12, M22);

    public static Vec3 operator *(Mat3 m, Vec3 v) => new(
        m.M00 * v.X + m.M01 * v.Y + m.M02 * v.Z,
        m.M10 * v.X + m.M11 * v.Y + m.M12 * v.Z,
        m.M20 * v.X + m.M21 * v.Y + m.M22 * v.Z);

    /// <summary>mᵀ v without forming the transpose.</summary>
    public Vec3 TransposeTimes(Vec3 v) => new(
        M00 * v.X + M10 * v.Y + M20 * v.Z,
        M01 * v.X + M11 * v.Y + M21 * v.Z,
        M02 * v.X + M12 * v.Y + M22 * v.Z);

    public static Mat3 operator *(Mat3 a, Mat3 b) => new(
        a.M00 * b.M00 + a.M01 * b.M10 + a.M02 * b.M20,
        a.M00 * b.M01 + a.M01 * b.M11 + a.M02 * b.M21,
        a.M00 * b.M02 + a.M01 * b.M12 + a.M02 * b.M22,
        a.M10 * b.M00 + a.M11 * b.M10 + a.M12 * b.M20,
        a.M10 * b.M01 + a.M11 * b.M11 + a.M12 * b.M21,
        a.M10 * b.M02 + a.M11 * b.M12 + a.M12 * b.M22,
        a.M20 * b.M00 + a.M21 * b.M10 + a.M22 * b.M20,
        a.M20 * b.M01 + a.M21 * b.M11 + a.M22 * b.M21,
        a.M20 * b.M02 + a.M21 * b.M12 + a.M22 * b.M22);

    public static Mat3 operator +(Mat3 a, Mat3 b) => new(
        a.M00 + b.M00, a.M01 + b.M01, a.M02 + b.M02,
        a.M10 + b.M10, a.M11 + b.M11, a.M12 + b.M12,
        a.M20 + b.M20, a.M21 + b.M21, a.M22 + b.M22);

    public static Mat3 operator -(Mat3 a, Mat3 b) => new(
        a.M00 - b.M00, a.M01 - b.M01, a.M02 - b.M02,
        a.M10 - b.M10, a.M11 - b.M11, a.M12 - b.M12,
        a.M20 - b.M20, a.M21 - b.M21, a.M22 - b.M22);

    public static Mat3 operator *(double s, Mat3 a) => new(
        s * a.M00, s * a.M01, s * a.M02,
        s * a.M10, s * a.M11, s * a.M12,
        s * a.M20, s * a.M21, s * a.M22);
}
