using System.Runtime.CompilerServices;

namespace NafNative.Sim.Arm;

/// <summary>Simulates an <see cref="ArmModel"/> under joint velocity commands: a joint-level velocity controller with
/// gravity compensation, articulated-body dynamics, semi-implicit Euler at a fixed step, frame-skip to the control rate,
/// and joint limits.</summary>
/// <remarks>
/// <para><b>Controller</b> (per joint, every physics step, like a robot's joint servo): τ_motor = g_i(q) + b_i q̇_cmd,i
/// + K_v,i (q̇_cmd,i − q̇_i), i.e. gravity and friction feed-forward plus velocity feedback, saturated at
/// ±<see cref="ArmModel.MaxTorques"/>; the joint also feels viscous friction −b_i q̇_i, so an unsaturated joint tracks
/// a constant command with no steady-state error. The command is clamped to ±<see cref="ArmModel.MaxVelocities"/> and
/// held for one control period (frame-skip: <see cref="Substeps"/> physics steps). Gains: <see cref="ArmModel.VelocityGains"/>.</para>
/// <para><b>Integrator</b> (<see cref="ArmSimulatorOptions.Integrator"/>): by default semi-implicit (symplectic) Euler,
/// q̇ₙ₊₁ = q̇ₙ + h q̈ₙ, qₙ₊₁ = qₙ + h q̇ₙ₊₁, with the velocity feedback and friction −D q̇ (D = K_v + b) taken implicitly
/// as −D q̇ₙ₊₁ (MuJoCo's implicit damping). That solves (M + h·diag(D)) q̈ = τ − D q̇ₙ − C q̇ − g, which the ABA does
/// exactly by adding h·D to each joint's armature, so the stiff velocity loop is stable at h = 2 ms whatever the link
/// inertia. A saturated joint keeps only its friction implicit. RK4 is the accurate alternative for free motion.</para>
/// <para><b>Joint limits</b> (<see cref="ArmSimulatorOptions.EnforceJointLimits"/>): after each physics step an angle
/// outside [lower, upper] is clamped to the limit and a velocity pointing further out is set to zero (an inelastic
/// stop).</para>
/// <para>Deterministic: the same state and commands give bit-identical results. Allocation-free after construction.
/// Not thread-safe: one instance per worker.</para>
/// </remarks>
public sealed class ArmSimulator
{
    private readonly int _n;
    private readonly double _h;
    private readonly double[] _q, _qd, _qdd, _tau, _extraArmature, _gravityTau, _command, _applied;
    private readonly double[] _stageQ, _stageQd, _stageSlopes;
    private readonly double[] _lower, _upper, _maxVelocity, _maxTorque, _damping, _gains;
    private long _physicsSteps;
    private Vec3 _eePosition, _eeVelocity;

    public ArmSimulator(ArmModel model, ArmSimulatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new ArmSimulatorOptions();
        Options.Validate();
        Dynamics = new ArmDynamics(model); // validates the model
        Model = model;
        _n = model.DegreesOfFreedom;
        _h = Options.PhysicsStep;
        Substeps = Options.Substeps;
        _q = new double[_n];
        _qd = new double[_n];
        _qdd = new double[_n];
        _tau = new double[_n];
        _extraArmature = new double[_n];
        _gravityTau = new double[_n];
        _command = new double[_n];
        _applied = new double[_n];
        _stageQ = new double[_n];
        _stageQd = new double[_n];
        _stageSlopes = new double[8 * _n];
        _lower = (double[])model.LowerLimits.Clone();
        _upper = (double[])model.UpperLimits.Clone();
        _maxVelocity = (double[])model.MaxVelocities.Clone();
        _maxTorque = (double[])model.MaxTorques.Clone();
        _damping = (double[])model.Damping.Clone();
        _gains = (double[])model.VelocityGains.Clone();
        if (Options.Integrator == ArmIntegrator.RungeKutta4) CheckExplicitStability(model);
        UpdateEndEffector();
    }

    public ArmModel Model { get; }
    public ArmSimulatorOptions Options { get; }
    public ArmDynamics Dynamics { get; }
    public int DegreesOfFreedom => _n;

    /// <summary>Physics steps per control step (frame-skip).</summary>
    public int Substeps { get; }

    /// <summary>Simulated time (s) since the last <see cref="SetState"/>.</summary>
    public double Time => _physicsSteps * _h;

    /// <summary>Joint angles (rad).</summary>
    public ReadOnlySpan<double> Positions => _q;

    /// <summary>Joint velocities (rad/s).</summary>
    public ReadOnlySpan<double> Velocities => _qd;

    /// <summary>End-effector position (m), as of the last <see cref="SetState"/> or step.</summary>
    public Vec3 EndEffectorPosition => _eePosition;

    /// <summary>End-effector linear velocity (m/s), as of the last <see cref="SetState"/> or step.</summary>
    public Vec3 EndEffectorVelocity => _eeVelocity;

    /// <summary>Sets the joint state and resets the clock. Angles are clamped into the limits when they are
    /// enforced.</summary>
    public void SetState(ReadOnlySpan<double> q, ReadOnlySpan<double> qd)
    {
        if (q.Length != _n) ThrowLength(nameof(q), q.Length);
        if (qd.Length != _n) ThrowLength(nameof(qd), qd.Length);
        for (int i = 0; i < _n; i++)
            if (!double.IsFinite(q[i]) || !double.IsFinite(qd[i])) ThrowNotFinite(i);
        q.CopyTo(_q);
        qd.CopyTo(_qd);
        if (Options.EnforceJointLimits) EnforceLimits();
        _physicsSteps = 0;
        UpdateEndEffector();
    }

    /// <summary>One control period: holds the joint velocity command (rad/s, clamped to ±max velocity) for
    /// <see cref="Substeps"/> physics steps under the joint velocity controller.</summary>
    public void StepControl(ReadOnlySpan<double> velocityCommand)
    {
        if (velocityCommand.Length != _n) ThrowLength(nameof(velocityCommand), velocityCommand.Length);
        for (int i = 0; i < _n; i++)
        {
            double c = velocityCommand[i];
            if (!double.IsFinite(c)) ThrowNotFinite(i);
            _command[i] = Math.Clamp(c, -_maxVelocity[i], _maxVelocity[i]);
        }
        for (int k = 0; k < Substeps; k++) PhysicsStep(controlled: true);
        UpdateEndEffector();
    }

    /// <summary>One physics step with the given joint torques (N·m) and no controller; joint friction still acts.
    /// For tests of the free dynamics.</summary>
    public void StepPhysics(ReadOnlySpan<double> torque)
    {
        if (torque.Length != _n) ThrowLength(nameof(torque), torque.Length);
        torque.CopyTo(_applied);
        PhysicsStep(controlled: false);
        UpdateEndEffector();
    }

    private void PhysicsStep(bool controlled)
    {
        if (Options.Integrator == ArmIntegrator.RungeKutta4) RungeKuttaStep(controlled);
        else SemiImplicitEulerStep(controlled);
        if (Options.EnforceJointLimits) EnforceLimits();
        _physicsSteps++;
    }

    /// <summary>q̇ₙ₊₁ = q̇ₙ + h q̈ₙ, qₙ₊₁ = qₙ + h q̇ₙ₊₁, with the velocity feedback and friction implicit (as armature h·D).</summary>
    private void SemiImplicitEulerStep(bool controlled)
    {
        Dynamics.SetConfiguration(_q);
        ComputeTorques(_qd, controlled, implicitDamping: true);
        Dynamics.ForwardDynamicsAtConfiguration(_qd, _tau, _qdd, _extraArmature);
        for (int i = 0; i < _n; i++)
        {
            _qd[i] += _h * _qdd[i];
            _q[i] += _h * _qd[i];
        }
    }

    /// <summary>Classical RK4 on (q, q̇), the command held over the step and the controller evaluated at each stage.</summary>
    private void RungeKuttaStep(bool controlled)
    {
        int n = _n;
        Span<double> k1q = _stageSlopes.AsSpan(0, n), k2q = _stageSlopes.AsSpan(n, n),
            k3q = _stageSlopes.AsSpan(2 * n, n), k4q = _stageSlopes.AsSpan(3 * n, n),
            k1v = _stageSlopes.AsSpan(4 * n, n), k2v = _stageSlopes.AsSpan(5 * n, n),
            k3v = _stageSlopes.AsSpan(6 * n, n), k4v = _stageSlopes.AsSpan(7 * n, n);
        Evaluate(_q, _qd, k1q, k1v, controlled);
        StagePoint(0.5 * _h, k1q, k1v);
        Evaluate(_stageQ, _stageQd, k2q, k2v, controlled);
        StagePoint(0.5 * _h, k2q, k2v);
        Evaluate(_stageQ, _stageQd, k3q, k3v, controlled);
        StagePoint(_h, k3q, k3v);
        Evaluate(_stageQ, _stageQd, k4q, k4v, controlled);
        double w = _h / 6;
        for (int i = 0; i < n; i++)
        {
            _q[i] += w * (k1q[i] + 2 * k2q[i] + 2 * k3q[i] + k4q[i]);
            _qd[i] += w * (k1v[i] + 2 * k2v[i] + 2 * k3v[i] + k4v[i]);
        }
    }

    private void StagePoint(double step, ReadOnlySpan<double> slopeQ, ReadOnlySpan<double> slopeQd)
    {
        for (int i = 0; i < _n; i++)
        {
            _stageQ[i] = _q[i] + step * slopeQ[i];
            _stageQd[i] = _qd[i] + step * slopeQd[i];
        }
    }

    private void Evaluate(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, Span<double> slopeQ, Span<double> slopeQd, bool controlled)
    {
        Dynamics.SetConfiguration(q);
        ComputeTorques(qd, controlled, implicitDamping: false);
        Dynamics.ForwardDynamicsAtConfiguration(qd, _tau, slopeQd, ReadOnlySpan<double>.Empty);
        qd.CopyTo(slopeQ);
    }

    /// <summary>Fills <see cref="_tau"/> (and, for the implicit scheme, <see cref="_extraArmature"/>) at the
    /// configuration already set and velocities <paramref name="qd"/>: the controller's saturated motor torque
    /// g + b·q̇_cmd + K_v(q̇_cmd − q̇) (or the applied torque), minus friction b q̇.</summary>
    private void ComputeTorques(ReadOnlySpan<double> qd, bool controlled, bool implicitDamping)
    {
        if (controlled && Options.GravityCompensation) Dynamics.GravityTorquesAtConfiguration(_gravityTau);
        for (int i = 0; i < _n; i++)
        {
            double v = qd[i], b = _damping[i], implicitGain = b, motor;
            if (controlled)
            {
                double command = _command[i], k = _gains[i];
                motor = _gravityTau[i] + b * command + k * (command - v);
                if (Math.Abs(motor) > _maxTorque[i]) motor = Math.CopySign(_maxTorque[i], motor); // saturated: feedback off
                else implicitGain += k;
            }
            else
            {
                motor = _applied[i];
            }
            _tau[i] = motor - b * v;
            _extraArmature[i] = implicitDamping ? _h * implicitGain : 0;
        }
    }

    private void EnforceLimits()
    {
        for (int i = 0; i < _n; i++)
        {
            if (_q[i] < _lower[i])
            {
                _q[i] = _lower[i];
                if (_qd[i] < 0) _qd[i] = 0;
            }
            else if (_q[i] > _upper[i])
            {
                _q[i] = _upper[i];
                if (_qd[i] > 0) _qd[i] = 0;
            }
        }
    }

    private void UpdateEndEffector()
    {
        Dynamics.SetConfiguration(_q);
        _eePosition = Dynamics.EndEffectorPosition;
        _eeVelocity = Dynamics.EndEffectorVelocity(_qd);
    }

    /// <summary>RK4 is stable on the negative real axis up to |λh| ≈ 2.785. The velocity loop's rates are the
    /// eigenvalues of M⁻¹D with D = diag(K_v + b); since M ⪰ diag(armature), they are at most max_i D_i/armature_i.</summary>
    private void CheckExplicitStability(ArmModel model)
    {
        for (int i = 0; i < _n; i++)
        {
            double rate = (_gains[i] + _damping[i]) / model.Armature[i];
            if (!(_h * rate <= 2.78))
                throw new ArgumentException(
                    $"ArmSimulator: RungeKutta4 at h = {_h} s may be unstable on joint {i}: h·(K_v + b)/armature = {_h * rate:G4} > 2.78; " +
                    "use SemiImplicitEuler, a smaller PhysicsStep, or more armature.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowLength(string name, int length) =>
        throw new ArgumentException($"ArmSimulator: {name} has length {length}; the arm has {_n} joints.", name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(int joint) =>
        throw new ArgumentException($"ArmSimulator: joint {joint}'s value is NaN or infinite; pass finite numbers.");
}
