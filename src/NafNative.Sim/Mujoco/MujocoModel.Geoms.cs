using System.Runtime.InteropServices;

namespace NafNative.Sim.Mujoco;

/// <summary>The compiled model's shapes and body tree, for drawing a scene (naf record): each geom's type, size and
/// pose in its body's frame and its colour, as MuJoCo compiled them (fromto and defaults already resolved).</summary>
public sealed unsafe partial class MujocoModel
{
    /// <summary>geom_type of geom <paramref name="geom"/>.</summary>
    public MujocoGeomType GeomType(int geom) => (MujocoGeomType)IntArray(MujocoNative.ModelInt.GeomType, GeomCount)[CheckGeom(geom)];

    /// <summary>The body geom <paramref name="geom"/> belongs to (0 = the world).</summary>
    public int GeomBody(int geom) => IntArray(MujocoNative.ModelInt.GeomBodyId, GeomCount)[CheckGeom(geom)];

    /// <summary>geom_size: a box's half extents; a sphere's radius; a capsule's or cylinder's radius and half length (m).</summary>
    public ReadOnlySpan<double> GeomSize(int geom) => RealArray(MujocoNative.ModelReal.GeomSize, 3 * GeomCount).Slice(3 * CheckGeom(geom), 3);

    /// <summary>The geom's centre in its body's frame (m).</summary>
    public ReadOnlySpan<double> GeomPosition(int geom) => RealArray(MujocoNative.ModelReal.GeomPos, 3 * GeomCount).Slice(3 * CheckGeom(geom), 3);

    /// <summary>The geom's orientation in its body's frame (w, x, y, z).</summary>
    public ReadOnlySpan<double> GeomQuaternion(int geom) => RealArray(MujocoNative.ModelReal.GeomQuat, 4 * GeomCount).Slice(4 * CheckGeom(geom), 4);

    /// <summary>The geom's colour (r, g, b, a, each 0–1).</summary>
    public ReadOnlySpan<float> GeomRgba(int geom) =>
        new ReadOnlySpan<float>(MujocoNative.naf_model_float(Handle, (int)MujocoNative.ModelFloat.GeomRgba), 4 * GeomCount).Slice(4 * CheckGeom(geom), 4);

    /// <summary>body_parentid of body <paramref name="body"/> (the world's parent is the world, 0).</summary>
    public int BodyParent(int body)
    {
        if ((uint)body >= (uint)BodyCount) throw new ArgumentOutOfRangeException(nameof(body), body, $"model '{Path}' has {BodyCount} bodies.");
        return IntArray(MujocoNative.ModelInt.BodyParentId, BodyCount)[body];
    }

    /// <summary>The name of object <paramref name="id"/> of <paramref name="type"/>, or null when it has none.</summary>
    public string? Name(MujocoObject type, int id) => Marshal.PtrToStringUTF8(MujocoNative.naf_id2name(Handle, (int)type, id));

    private int CheckGeom(int geom) =>
        (uint)geom < (uint)GeomCount ? geom : throw new ArgumentOutOfRangeException(nameof(geom), geom, $"model '{Path}' has {GeomCount} geoms.");
}

/// <summary>MuJoCo's geom shapes, numbered as its mjtGeom (the shim checks the numbering when it is compiled).</summary>
public enum MujocoGeomType
{
    Plane = 0,
    HeightField = 1,
    Sphere = 2,
    Capsule = 3,
    Ellipsoid = 4,
    Cylinder = 5,
    Box = 6,
    Mesh = 7,
}
