using NafNative.Sim.Arm;

namespace NafNative.Sim.Mujoco;

/// <summary>One MuJoCo simulation state (mjData) of a <see cref="MujocoModel"/>: stepping, and MuJoCo's own arrays as
/// spans (no copies; valid until <see cref="Dispose"/>). One thread per instance.</summary>
/// <remarks>Any MuJoCo error (mju_error) becomes a <see cref="MujocoException"/> carrying MuJoCo's message; the state
/// is then reset (<see cref="Reset"/>) because MuJoCo stopped half-way through a step. Instability warnings (NaN or
/// huge accelerations, after which MuJoCo itself resets the state) are counted in
/// <see cref="InstabilityWarnings"/>.</remarks>
public sealed unsafe class MujocoSimulation : IDisposable
{
    private nint _data;

    public MujocoSimulation(MujocoModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _data = MujocoNative.naf_make_data(model.Handle);
        if (_data == 0) throw new MujocoException($"MuJoCo could not allocate data for '{model.Path}': {MujocoNative.LastError()}");
    }

    public MujocoModel Model { get; }

    private nint Data => _data != 0 ? _data : throw new ObjectDisposedException(nameof(MujocoSimulation));

    /// <summary>Joint positions (nq).</summary>
    public Span<double> Qpos => Real(MujocoNative.DataReal.Qpos, Model.PositionCount);
    /// <summary>Joint velocities (nv).</summary>
    public Span<double> Qvel => Real(MujocoNative.DataReal.Qvel, Model.VelocityCount);
    /// <summary>Joint accelerations of the last step (nv).</summary>
    public Span<double> Qacc => Real(MujocoNative.DataReal.Qacc, Model.VelocityCount);
    /// <summary>Actuator controls (nu).</summary>
    public Span<double> Ctrl => Real(MujocoNative.DataReal.Ctrl, Model.ActuatorCount);
    /// <summary>Applied generalised forces (nv), kept until changed.</summary>
    public Span<double> QfrcApplied => Real(MujocoNative.DataReal.QfrcApplied, Model.VelocityCount);
    /// <summary>Gravity + Coriolis/centrifugal generalised forces at the last forward pass (nv).</summary>
    public ReadOnlySpan<double> QfrcBias => Real(MujocoNative.DataReal.QfrcBias, Model.VelocityCount);
    /// <summary>Body frame positions, world (nbody × 3).</summary>
    public ReadOnlySpan<double> BodyPositions => Real(MujocoNative.DataReal.Xpos, 3 * Model.BodyCount);
    /// <summary>Body orientations as quaternions w, x, y, z (nbody × 4).</summary>
    public ReadOnlySpan<double> BodyQuaternions => Real(MujocoNative.DataReal.Xquat, 4 * Model.BodyCount);
    /// <summary>Site positions, world (nsite × 3).</summary>
    public ReadOnlySpan<double> SitePositions => Real(MujocoNative.DataReal.SiteXpos, 3 * Model.SiteCount);
    /// <summary>Site orientations, row-major 3 × 3 (nsite × 9).</summary>
    public ReadOnlySpan<double> SiteRotations => Real(MujocoNative.DataReal.SiteXmat, 9 * Model.SiteCount);

    /// <summary>Simulated time (s).</summary>
    public double Time => MujocoNative.naf_data_time(Data);

    /// <summary>Active contacts after the last forward pass.</summary>
    public int ContactCount => MujocoNative.naf_data_ncon(Data);

    /// <summary>How many times MuJoCo found a NaN/huge qpos, qvel or qacc and reset the state (mjWARN_BADQPOS/QVEL/QACC).</summary>
    public int InstabilityWarnings => MujocoNative.naf_data_instability_warnings(Data);

    /// <summary>The last warning MuJoCo raised on this thread (empty when none).</summary>
    public static string LastWarning => MujocoNative.LastWarning();

    /// <summary>A site's position (world frame).</summary>
    public Vec3 SitePosition(int site)
    {
        ReadOnlySpan<double> p = SitePositions.Slice(3 * site, 3);
        return new Vec3(p[0], p[1], p[2]);
    }

    /// <summary>A site's linear velocity (world frame); needs an up-to-date forward pass.</summary>
    public Vec3 SiteLinearVelocity(int site)
    {
        double* v = stackalloc double[6];
        if (MujocoNative.naf_site_velocity(Model.Handle, Data, site, v) != 0)
            throw new ArgumentOutOfRangeException(nameof(site), site, $"model '{Model.Path}' has {Model.SiteCount} sites.");
        return new Vec3(v[0], v[1], v[2]);
    }

    /// <summary>mj_step <paramref name="count"/> times.</summary>
    public void Step(int count = 1) => Check(MujocoNative.naf_step(Model.Handle, Data, count), "mj_step");

    /// <summary>mj_step1: position and velocity stages at the current state (so <see cref="QfrcBias"/> is current);
    /// set controls and applied forces, then call <see cref="Step2"/>.</summary>
    public void Step1() => Check(MujocoNative.naf_step1(Model.Handle, Data), "mj_step1");

    /// <summary>mj_step2: forces, acceleration and integration with the controls set since <see cref="Step1"/>.</summary>
    public void Step2() => Check(MujocoNative.naf_step2(Model.Handle, Data), "mj_step2");

    /// <summary>mj_forward: every derived quantity (positions of bodies and sites, contacts, velocities) for the
    /// current qpos/qvel without advancing time.</summary>
    public void Forward() => Check(MujocoNative.naf_forward(Model.Handle, Data), "mj_forward");

    /// <summary>mj_resetData: the model's initial state (qpos0, zero velocity, controls and applied forces, time 0).</summary>
    public void Reset() => Check(MujocoNative.naf_reset(Model.Handle, Data), "mj_resetData");

    private void Check(int code, string call)
    {
        if (code == 0) return;
        string message = MujocoNative.LastError();
        // MuJoCo stopped part-way through; a reset leaves a consistent state (the caller starts a new episode).
        MujocoNative.naf_reset(Model.Handle, Data);
        throw new MujocoException($"MuJoCo error in {call} on '{Model.Path}': {message} (state reset).");
    }

    private Span<double> Real(MujocoNative.DataReal which, int length) => new(MujocoNative.naf_data_real(Data, (int)which), length);

    public void Dispose()
    {
        nint data = Interlocked.Exchange(ref _data, 0);
        if (data != 0) MujocoNative.naf_delete_data(data);
    }
}
