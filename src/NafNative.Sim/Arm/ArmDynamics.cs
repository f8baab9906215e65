using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace NafNative.Sim.Arm;

/// <summary>Kinematics and rigid-body dynamics of a serial <see cref="ArmModel"/>: forward kinematics, the end-effector
/// Jacobian, forward dynamics by Featherstone's articulated-body algorithm (ABA) and inverse dynamics by the recursive
/// Newton–Euler algorithm (RNEA), in double precision.</summary>
/// <remarks>
/// <para>All spatial quantities are in world coordinates at the world origin ("ground coordinates", Featherstone,
/// <i>Rigid Body Dynamics Algorithms</i> §7.1 and §5.3 applied with every X = 1): joint i's motion subspace is
/// S_i = (a_i, p_i × a_i) for axis a_i through point p_i, and Ṡ_i = v_i × S_i, so no link-to-link transforms are
/// needed. Gravity enters as a fictitious base acceleration a_0 = (0, −g).</para>
/// <para>Each public method takes the configuration q and recomputes the kinematics (<see cref="SetConfiguration"/>);
/// per-link buffers are allocated once in the constructor, so no call allocates. Not thread-safe: one instance per
/// thread.</para>
/// </remarks>
public sealed partial class ArmDynamics
{
    private readonly int _n;
    // Model constants, copied at construction.
    private readonly Vec3[] _offset, _localAxis, _localCom;
    private readonly Mat3[] _localInertia;
    private readonly double[] _mass, _armature;
    private readonly Vec3 _eeOffset;
    private readonly SpatialVector _baseAcceleration;
    private readonly double _gravity;

    // Kinematics of the configuration last set (world frame).
    private readonly Mat3[] _rotation;
    private readonly Vec3[] _origin, _worldCom;
    private readonly SpatialVector[] _motionSubspace;
    private readonly SpatialInertia[] _inertia;
    private Vec3 _endEffector;

    // Work arrays of the recursive algorithms.
    private readonly SpatialVector[] _bias, _articulatedBias, _articulatedU, _force;
    private readonly SpatialInertia[] _articulated;
    private readonly double[] _articulatedD, _articulatedTau;

    public ArmDynamics(ArmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();
        Model = model;
        _n = model.DegreesOfFreedom;
        _offset = (Vec3[])model.JointOffsets.Clone();
        _localAxis = (Vec3[])model.JointAxes.Clone();
        _localCom = (Vec3[])model.LinkCentersOfMass.Clone();
        _mass = (double[])model.LinkMasses.Clone();
        _armature = (double[])model.Armature.Clone();
        _localInertia = new Mat3[_n];
        for (int i = 0; i < _n; i++) _localInertia[i] = Mat3.Diagonal(model.LinkInertias[i]);
        _eeOffset = model.EndEffectorOffset;
        _gravity = model.Gravity;
        _baseAcceleration = new SpatialVector(Vec3.Zero, new Vec3(0, 0, model.Gravity));

        _rotation = new Mat3[_n];
        _origin = new Vec3[_n];
        _worldCom = new Vec3[_n];
        _motionSubspace = new SpatialVector[_n];
        _inertia = new SpatialInertia[_n];
        _bias = new SpatialVector[_n];
        _articulatedBias = new SpatialVector[_n];
        _articulatedU = new SpatialVector[_n];
        _force = new SpatialVector[_n];
        _articulated = new SpatialInertia[_n];
        _articulatedD = new double[_n];
        _articulatedTau = new double[_n];
    }

    public ArmModel Model { get; }

    public int DegreesOfFreedom => _n;

    /// <summary>The end-effector position (m) of the configuration last set.</summary>
    public Vec3 EndEffectorPosition => _endEffector;

    /// <summary>Joint <paramref name="joint"/>'s origin (m) in the configuration last set.</summary>
    public Vec3 JointOrigin(int joint) => _origin[joint];

    /// <summary>Link <paramref name="link"/>'s orientation (link frame → world) in the configuration last set.</summary>
    public Mat3 LinkRotation(int link) => _rotation[link];

    /// <summary>Joint <paramref name="joint"/>'s world axis in the configuration last set.</summary>
    public Vec3 JointAxis(int joint) => _motionSubspace[joint].Angular;

    /// <summary>Forward kinematics: sets the configuration <paramref name="q"/> (rad) that later queries refer to,
    /// computing each link's rotation, joint origin, motion subspace and world-frame spatial inertia, and the
    /// end-effector position.</summary>
    public void SetConfiguration(ReadOnlySpan<double> q)
    {
        CheckLength(q, nameof(q));
        Mat3 rotation = Mat3.Identity;
        Vec3 origin = Vec3.Zero;
        for (int i = 0; i < _n; i++)
        {
            origin += rotation * _offset[i];
            Vec3 axis = rotation * _localAxis[i];
            rotation *= Mat3.Rotation(_localAxis[i], q[i]);
            Vec3 com = origin + rotation * _localCom[i];
            Mat3 inertiaAtCom = rotation * _localInertia[i] * rotation.Transpose();
            _rotation[i] = rotation;
            _origin[i] = origin;
            _worldCom[i] = com;
            _motionSubspace[i] = new SpatialVector(axis, Vec3.Cross(origin, axis));
            _inertia[i] = SpatialInertia.RigidBody(_mass[i], com, inertiaAtCom);
        }
        _endEffector = origin + rotation * _eeOffset;
    }

    /// <summary>Forward kinematics: the end-effector position (m) at <paramref name="q"/>.</summary>
    public Vec3 EndEffectorPositionAt(ReadOnlySpan<double> q)
    {
        SetConfiguration(q);
        return _endEffector;
    }

    /// <summary>The end effector's linear velocity (m/s) at the configuration last set: Σ_i (a_i × (p_ee − p_i)) q̇_i.</summary>
    public Vec3 EndEffectorVelocity(ReadOnlySpan<double> qd)
    {
        CheckLength(qd, nameof(qd));
        Vec3 velocity = Vec3.Zero;
        for (int i = 0; i < _n; i++)
            velocity += qd[i] * Vec3.Cross(_motionSubspace[i].Angular, _endEffector - _origin[i]);
        return velocity;
    }

    /// <summary>The end effector's 3×n linear-velocity Jacobian (row-major, m/rad) at the configuration last set;
    /// column i = a_i × (p_ee − p_i).</summary>
    public void LinearJacobian(Span<double> jacobian)
    {
        if (jacobian.Length != 3 * _n)
            ThrowLength(nameof(jacobian), jacobian.Length, 3 * _n);
        for (int i = 0; i < _n; i++)
        {
            Vec3 column = Vec3.Cross(_motionSubspace[i].Angular, _endEffector - _origin[i]);
            jacobian[i] = column.X;
            jacobian[_n + i] = column.Y;
            jacobian[2 * _n + i] = column.Z;
        }
    }

    /// <summary>Kinetic energy (J) of links and rotors at <paramref name="q"/>, <paramref name="qd"/>:
    /// ½ Σ v_iᵀ I_i v_i + ½ Σ armature_i q̇_i².</summary>
    public double KineticEnergy(ReadOnlySpan<double> q, ReadOnlySpan<double> qd)
    {
        SetConfiguration(q);
        CheckLength(qd, nameof(qd));
        double energy = 0;
        SpatialVector velocity = SpatialVector.Zero;
        for (int i = 0; i < _n; i++)
        {
            velocity += qd[i] * _motionSubspace[i];
            energy += 0.5 * SpatialVector.Dot(velocity, _inertia[i] * velocity) + 0.5 * _armature[i] * qd[i] * qd[i];
        }
        return energy;
    }

    /// <summary>Gravitational potential energy (J) at <paramref name="q"/>, zero at z = 0: Σ m_i g z_com,i.</summary>
    public double PotentialEnergy(ReadOnlySpan<double> q)
    {
        SetConfiguration(q);
        double energy = 0;
        for (int i = 0; i < _n; i++) energy += _mass[i] * _gravity * _worldCom[i].Z;
        return energy;
    }

    private void CheckLength(ReadOnlySpan<double> values, string name)
    {
        if (values.Length != _n) ThrowLength(name, values.Length, _n);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string name, int length, int expected) =>
        throw new ArgumentException($"ArmDynamics: {name} has length {length}; expected {expected}.", name);

    [Conditional("DEBUG")]
    private void AssertFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values) Debug.Assert(double.IsFinite(v), "ArmDynamics produced a non-finite value: check the inputs' magnitudes.");
    }
}
