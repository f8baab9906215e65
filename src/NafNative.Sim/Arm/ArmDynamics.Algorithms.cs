namespace NafNative.Sim.Arm;

public sealed partial class ArmDynamics
{
    /// <summary>Forward dynamics by the articulated-body algorithm: q̈ = (M(q) + diag(armature + extra))⁻¹ (τ − C(q, q̇)q̇ − g(q)).</summary>
    /// <param name="q">Joint angles (rad).</param>
    /// <param name="qd">Joint velocities (rad/s).</param>
    /// <param name="tau">Joint torques (N·m).</param>
    /// <param name="qdd">Receives the joint accelerations (rad/s²).</param>
    /// <param name="extraArmature">Optional per-joint additions to the armature (kg·m²); the integrator uses them for
    /// implicit damping (h·b). Empty = none.</param>
    public void ForwardDynamics(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, ReadOnlySpan<double> tau, Span<double> qdd,
        ReadOnlySpan<double> extraArmature = default)
    {
        SetConfiguration(q);
        ForwardDynamicsAtConfiguration(qd, tau, qdd, extraArmature);
    }

    /// <summary>Inverse dynamics by RNEA: τ = M(q) q̈ + C(q, q̇)q̇ + g(q), including the armature's armature_i q̈_i.</summary>
    public void InverseDynamics(ReadOnlySpan<double> q, ReadOnlySpan<double> qd, ReadOnlySpan<double> qdd, Span<double> tau)
    {
        SetConfiguration(q);
        CheckLength(qd, nameof(qd));
        CheckLength(qdd, nameof(qdd));
        CheckLength(tau, nameof(tau));
        // Outward pass: v_i = v_{i−1} + S_i q̇_i; a_i = a_{i−1} + S_i q̈_i + v_i × S_i q̇_i; f_i = I_i a_i + v_i ×* I_i v_i.
        SpatialVector velocity = SpatialVector.Zero, acceleration = _baseAcceleration;
        for (int i = 0; i < _n; i++)
        {
            SpatialVector jointVelocity = qd[i] * _motionSubspace[i];
            velocity += jointVelocity;
            acceleration += qdd[i] * _motionSubspace[i] + SpatialVector.CrossMotion(velocity, jointVelocity);
            ref readonly SpatialInertia inertia = ref _inertia[i];
            _force[i] = inertia * acceleration + SpatialVector.CrossForce(velocity, inertia * velocity);
        }
        // Inward pass: τ_i = S_iᵀ f_i (+ armature), f_{i−1} += f_i.
        SpatialVector force = SpatialVector.Zero;
        for (int i = _n - 1; i >= 0; i--)
        {
            force += _force[i];
            tau[i] = SpatialVector.Dot(_motionSubspace[i], force) + _armature[i] * qdd[i];
        }
    }

    /// <summary>Gravity torques g(q) (N·m): RNEA with q̇ = q̈ = 0.</summary>
    public void GravityTorques(ReadOnlySpan<double> q, Span<double> tau)
    {
        SetConfiguration(q);
        GravityTorquesAtConfiguration(tau);
    }

    /// <summary><see cref="GravityTorques"/> at the configuration last set (no kinematics pass).</summary>
    internal void GravityTorquesAtConfiguration(Span<double> tau)
    {
        CheckLength(tau, nameof(tau));
        SpatialVector force = SpatialVector.Zero;
        for (int i = _n - 1; i >= 0; i--)
        {
            force += _inertia[i] * _baseAcceleration;
            tau[i] = SpatialVector.Dot(_motionSubspace[i], force);
        }
    }

    /// <summary><see cref="ForwardDynamics"/> at the configuration last set (no kinematics pass).</summary>
    internal void ForwardDynamicsAtConfiguration(ReadOnlySpan<double> qd, ReadOnlySpan<double> tau, Span<double> qdd,
        ReadOnlySpan<double> extraArmature)
    {
        CheckLength(qd, nameof(qd));
        CheckLength(tau, nameof(tau));
        CheckLength(qdd, nameof(qdd));
        if (!extraArmature.IsEmpty) CheckLength(extraArmature, nameof(extraArmature));

        // Pass 1, outward: velocities, velocity-product accelerations c_i = v_i × S_i q̇_i, and the rigid-body start of
        // each articulated inertia I^A_i = I_i and bias force p^A_i = v_i ×* I_i v_i.
        SpatialVector velocity = SpatialVector.Zero;
        for (int i = 0; i < _n; i++)
        {
            SpatialVector jointVelocity = qd[i] * _motionSubspace[i];
            velocity += jointVelocity;
            _bias[i] = SpatialVector.CrossMotion(velocity, jointVelocity);
            _articulated[i] = _inertia[i];
            _articulatedBias[i] = SpatialVector.CrossForce(velocity, _inertia[i] * velocity);
        }

        // Pass 2, inward: U_i = I^A_i S_i, D_i = S_iᵀ U_i + armature_i, u_i = τ_i − S_iᵀ p^A_i; the parent receives
        // I^a = I^A_i − U_i U_iᵀ / D_i and p^a = p^A_i + I^a c_i + U_i u_i / D_i.
        for (int i = _n - 1; i >= 0; i--)
        {
            SpatialVector s = _motionSubspace[i];
            SpatialVector u = _articulated[i] * s;
            double armature = _armature[i] + (extraArmature.IsEmpty ? 0 : extraArmature[i]);
            double d = SpatialVector.Dot(s, u) + armature;
            double uTau = tau[i] - SpatialVector.Dot(s, _articulatedBias[i]);
            _articulatedU[i] = u;
            _articulatedD[i] = d;
            _articulatedTau[i] = uTau;
            if (i > 0)
            {
                SpatialInertia passed = _articulated[i].SubtractOuter(u, d);
                _articulated[i - 1] += passed;
                _articulatedBias[i - 1] += _articulatedBias[i] + passed * _bias[i] + (uTau / d) * u;
            }
        }

        // Pass 3, outward: a_i = a_{i−1} + c_i; q̈_i = (u_i − U_iᵀ a_i) / D_i; a_i += S_i q̈_i.
        SpatialVector acceleration = _baseAcceleration;
        for (int i = 0; i < _n; i++)
        {
            acceleration += _bias[i];
            double accel = (_articulatedTau[i] - SpatialVector.Dot(_articulatedU[i], acceleration)) / _articulatedD[i];
            qdd[i] = accel;
            acceleration += accel * _motionSubspace[i];
        }
        AssertFinite(qdd);
    }
}
