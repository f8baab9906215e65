using System.Runtime.InteropServices;

namespace NafNative.Sim.Mujoco;

/// <summary>A compiled MuJoCo model (mjModel) loaded from an MJCF file. Read-only after loading, so one instance may
/// back several <see cref="MujocoSimulation"/>s on different threads (MuJoCo's own rule).</summary>
public sealed unsafe partial class MujocoModel : IDisposable
{
    private nint _handle;

    private MujocoModel(nint handle, string path)
    {
        _handle = handle;
        Path = path;
        PositionCount = Size(MujocoNative.Size.Nq);
        VelocityCount = Size(MujocoNative.Size.Nv);
        ActuatorCount = Size(MujocoNative.Size.Nu);
        BodyCount = Size(MujocoNative.Size.Nbody);
        JointCount = Size(MujocoNative.Size.Njnt);
        SiteCount = Size(MujocoNative.Size.Nsite);
        GeomCount = Size(MujocoNative.Size.Ngeom);
        Timestep = MujocoNative.naf_model_timestep(handle);
    }

    /// <summary>Loads and compiles an MJCF file (includes resolve relative to it). A missing file or a model MuJoCo
    /// rejects throws <see cref="MujocoException"/> with MuJoCo's message (it names the element and line).</summary>
    public static MujocoModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        MujocoRuntime.EnsureAvailable(System.IO.Path.GetFileNameWithoutExtension(path));
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new MujocoException($"MuJoCo model file '{full}' does not exist.");
        const int errorSize = 1024;
        byte* error = stackalloc byte[errorSize];
        error[0] = 0;
        nint handle = MujocoNative.naf_load_xml(full, error, errorSize);
        if (handle == 0)
            throw new MujocoException($"MuJoCo could not load '{full}': {Marshal.PtrToStringUTF8((nint)error)}");
        return new MujocoModel(handle, full);
    }

    /// <summary>The file it was loaded from.</summary>
    public string Path { get; }

    /// <summary>nq, nv, nu, nbody, njnt, nsite, ngeom.</summary>
    public int PositionCount { get; }
    public int VelocityCount { get; }
    public int ActuatorCount { get; }
    public int BodyCount { get; }
    public int JointCount { get; }
    public int SiteCount { get; }
    public int GeomCount { get; }

    /// <summary>The physics step (s), opt.timestep.</summary>
    public double Timestep { get; }

    internal nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(MujocoModel));

    /// <summary>The id of a named object, or throws naming the object and the file when the model has none.</summary>
    public int Id(MujocoObject type, string name)
    {
        int id = MujocoNative.naf_name2id(Handle, (int)type, name);
        if (id < 0) throw new MujocoException($"model '{Path}' has no {type.ToString().ToLowerInvariant()} named '{name}'.");
        return id;
    }

    /// <summary>Index in qpos of a named joint's first coordinate.</summary>
    public int JointPositionAddress(string joint) => JointPositionAddressById(Id(MujocoObject.Joint, joint));

    /// <summary>Index in qvel (and qfrc_*) of a named joint's first degree of freedom.</summary>
    public int JointVelocityAddress(string joint) => JointVelocityAddressById(Id(MujocoObject.Joint, joint));

    /// <summary>A named joint's range (lower, upper).</summary>
    public (double Lower, double Upper) JointRange(string joint) => JointRangeById(Id(MujocoObject.Joint, joint));

    /// <summary>A named actuator's control range (lower, upper).</summary>
    public (double Lower, double Upper) ControlRange(string actuator) => ControlRangeById(Id(MujocoObject.Actuator, actuator));

    /// <summary>jnt_qposadr of joint <paramref name="id"/>.</summary>
    public int JointPositionAddressById(int id) => IntArray(MujocoNative.ModelInt.JointQposAddress, JointCount)[id];

    /// <summary>jnt_dofadr of joint <paramref name="id"/>.</summary>
    public int JointVelocityAddressById(int id) => IntArray(MujocoNative.ModelInt.JointDofAddress, JointCount)[id];

    /// <summary>jnt_range of joint <paramref name="id"/>.</summary>
    public (double Lower, double Upper) JointRangeById(int id)
    {
        ReadOnlySpan<double> range = RealArray(MujocoNative.ModelReal.JointRange, 2 * JointCount);
        return (range[2 * id], range[2 * id + 1]);
    }

    /// <summary>actuator_ctrlrange of actuator <paramref name="id"/>.</summary>
    public (double Lower, double Upper) ControlRangeById(int id)
    {
        ReadOnlySpan<double> range = RealArray(MujocoNative.ModelReal.ActuatorCtrlRange, 2 * ActuatorCount);
        return (range[2 * id], range[2 * id + 1]);
    }

    /// <summary>Per-degree-of-freedom damping (nv).</summary>
    public ReadOnlySpan<double> DofDamping => RealArray(MujocoNative.ModelReal.DofDamping, VelocityCount);

    /// <summary>Body masses (nbody).</summary>
    public ReadOnlySpan<double> BodyMass => RealArray(MujocoNative.ModelReal.BodyMass, BodyCount);

    private ReadOnlySpan<double> RealArray(MujocoNative.ModelReal which, int length) =>
        new(MujocoNative.naf_model_real(Handle, (int)which), length);

    private ReadOnlySpan<int> IntArray(MujocoNative.ModelInt which, int length) =>
        new(MujocoNative.naf_model_int(Handle, (int)which), length);

    private int Size(MujocoNative.Size which) => MujocoNative.naf_model_size(_handle, (int)which);

    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0) MujocoNative.naf_delete_model(handle);
    }
}

/// <summary>MuJoCo object types used by name lookups (the shim maps them to mjtObj).</summary>
public enum MujocoObject
{
    Body = 0,
    Joint = 1,
    Geom = 2,
    Site = 3,
    Actuator = 4,
}
