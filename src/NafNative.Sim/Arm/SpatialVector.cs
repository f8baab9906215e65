namespace NafNative.Sim.Arm;

/// <summary>A Plücker spatial vector (Featherstone, <i>Rigid Body Dynamics Algorithms</i>, ch. 2), angular part
/// first: a motion (ω, v_O) or a force (n_O, f), both expressed in world coordinates at the world origin O.</summary>
public readonly record struct SpatialVector(Vec3 Angular, Vec3 Linear)
{
    public static SpatialVector Zero => default;

    public static SpatialVector operator +(SpatialVector a, SpatialVector b) => new(a.Angular + b.Angular, a.Linear + b.Linear);
    public static SpatialVector operator -(SpatialVector a, SpatialVector b) => new(a.Angular - b.Angular, a.Linear - b.Linear);
    public static SpatialVector operator *(double s, SpatialVector a) => new(s * a.Angular, s * a.Linear);

    /// <summary>The pairing of a motion with a force (power), or the plain dot product of two like vectors.</summary>
    public static double Dot(SpatialVector a, SpatialVector b) => Vec3.Dot(a.Angular, b.Angular) + Vec3.Dot(a.Linear, b.Linear);

    /// <summary>Motion cross product v × m: (ω × m_ω, ω × m_v + v × m_ω).</summary>
    public static SpatialVector CrossMotion(SpatialVector v, SpatialVector m) =>
        new(Vec3.Cross(v.Angular, m.Angular), Vec3.Cross(v.Angular, m.Linear) + Vec3.Cross(v.Linear, m.Angular));

    /// <summary>Force cross product v ×* f: (ω × n + v × f, ω × f).</summary>
    public static SpatialVector CrossForce(SpatialVector v, SpatialVector f) =>
        new(Vec3.Cross(v.Angular, f.Angular) + Vec3.Cross(v.Linear, f.Linear), Vec3.Cross(v.Angular, f.Linear));
}
