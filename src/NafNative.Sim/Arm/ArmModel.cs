namespace NafNative.Sim.Arm;

/// <summary>A serial arm of revolute joints: kinematics, inertia, limits and the joint velocity controller's gains.</summary>
/// <remarks>
/// <para><b>Frame convention.</b> Every link frame sits at its joint and, with all joint angles zero, is aligned with the
/// world frame (x forward, y left, z up; the base at the world origin). Joint i's origin is
/// <see cref="JointOffsets"/>[i] in link i−1's frame (link −1 = base) and it turns about <see cref="JointAxes"/>[i]
/// (a unit vector in the same frame) by the right-hand rule. Link i's centre of mass is <see cref="LinkCentersOfMass"/>[i]
/// and its principal inertia about that point <see cref="LinkInertias"/>[i] (diagonal, link frame). The end effector
/// is the point <see cref="EndEffectorOffset"/> in the last link's frame.</para>
/// <para><b>Units.</b> Metres, kilograms, kg·m², radians, seconds, N·m.</para>
/// <para>Arrays are read once by <see cref="ArmDynamics"/> and <see cref="ArmSimulator"/> at construction; change a
/// model with <c>with</c> and fresh arrays, never by mutating a shared one.</para>
/// </remarks>
public sealed record ArmModel
{
    public required string Name { get; init; }
    /// <summary>Joint i's origin in link i−1's frame (m).</summary>
    public required Vec3[] JointOffsets { get; init; }
    /// <summary>Joint i's unit rotation axis in link i−1's frame (= link i's frame).</summary>
    public required Vec3[] JointAxes { get; init; }
    /// <summary>Link masses (kg).</summary>
    public required double[] LinkMasses { get; init; }
    /// <summary>Link centres of mass in their link frames (m).</summary>
    public required Vec3[] LinkCentersOfMass { get; init; }
    /// <summary>Principal moments of inertia about each link's centre of mass, along its frame's axes (kg·m²).</summary>
    public required Vec3[] LinkInertias { get; init; }
    /// <summary>End-effector point in the last link's frame (m).</summary>
    public required Vec3 EndEffectorOffset { get; init; }
    /// <summary>Lower joint limits (rad).</summary>
    public required double[] LowerLimits { get; init; }
    /// <summary>Upper joint limits (rad).</summary>
    public required double[] UpperLimits { get; init; }
    /// <summary>Maximum joint speeds (rad/s): a velocity command of ±1 (action units) maps to these times the task's scale.</summary>
    public required double[] MaxVelocities { get; init; }
    /// <summary>Maximum joint torques (N·m): the velocity controller saturates at these.</summary>
    public required double[] MaxTorques { get; init; }
    /// <summary>Viscous joint friction b (N·m·s/rad): τ_friction = −b q̇, always active.</summary>
    public required double[] Damping { get; init; }
    /// <summary>Reflected rotor inertia (kg·m²) added to the joint's diagonal of the mass matrix (MuJoCo's "armature").</summary>
    public required double[] Armature { get; init; }
    /// <summary>Joint velocity loop gain K_v (N·m·s/rad): τ = g(q) + b q̇_cmd + K_v (q̇_cmd − q̇), see <see cref="ArmSimulator"/>.</summary>
    public required double[] VelocityGains { get; init; }
    /// <summary>Gravitational acceleration (m/s²), along −z.</summary>
    public required double Gravity { get; init; }

    public int DegreesOfFreedom => JointAxes.Length;

    /// <summary>A 7-DoF arm loosely modelled on the KUKA LBR iiwa 14 R820.</summary>
    /// <remarks>
    /// <para>Kinematics: KUKA's published distances (base→J2 0.36 m, J2→J4 0.42 m, J4→J6 0.40 m, J6→flange 0.126 m),
    /// split at the iiwa URDF's link origins: joint offsets along z 0.1575, 0.2025, 0.2045, 0.2155, 0.1845, 0.2155,
    /// 0.081 m; axes z, y, z, −y, z, y, z; end effector 0.145 m above J7 (the 0.045 m flange plus a 0.10 m tool), so the
    /// all-zero pose puts it straight up at (0, 0, 1.406) m.</para>
    /// <para>Inertia: masses 4, 4, 3, 2.7, 1.7, 1.8, 0.3 kg and the principal moments of the iiwa_stack URDF for the
    /// iiwa 14, rotated into this convention and rounded; centres of mass as listed in the code (mostly along the link,
    /// with a few cm of offset that keeps the dynamics fully three-dimensional).</para>
    /// <para>Limits (iiwa 14 data sheet): ±170°, ±120°, ±170°, ±120°, ±170°, ±120°, ±175°; speeds 85, 85, 100, 75, 130,
    /// 135, 135 °/s; torques 320, 320, 176, 176, 110, 40, 40 N·m.</para>
    /// <para>Drive model (not published by KUKA; chosen): armature 0.1 kg·m² on J1–J4 and 0.05 on J5–J7 (harmonic-drive
    /// rotors), viscous friction 0.5 N·m·s/rad on every joint, velocity gains 120, 120, 60, 60, 15, 15, 8 N·m·s/rad, which
    /// give velocity time constants M_ii/K_v of 4–20 ms in the reach task's home pose (M_ii = 1.50, 2.31, 0.65, 0.63,
    /// 0.064, 0.059, 0.051 kg·m² there). Gravity 9.81 m/s².</para>
    /// </remarks>
    public static ArmModel Iiwa14() => new()
    {
        Name = "iiwa14-like",
        JointOffsets =
        [
            new(0, 0, 0.1575), new(0, 0, 0.2025), new(0, 0, 0.2045), new(0, 0, 0.2155),
            new(0, 0, 0.1845), new(0, 0, 0.2155), new(0, 0, 0.081),
        ],
        JointAxes = [Vec3.UnitZ, Vec3.UnitY, Vec3.UnitZ, -Vec3.UnitY, Vec3.UnitZ, Vec3.UnitY, Vec3.UnitZ],
        LinkMasses = [4.0, 4.0, 3.0, 2.7, 1.7, 1.8, 0.3],
        LinkCentersOfMass =
        [
            new(0, -0.03, 0.12), new(0.0003, 0.042, 0.059), new(0, 0.03, 0.13), new(0, 0.034, 0.067),
            new(0.0001, 0.021, 0.076), new(0, 0.0006, 0.0004), new(0, 0, 0.02),
        ],
        LinkInertias =
        [
            new(0.1, 0.09, 0.02), new(0.05, 0.044, 0.018), new(0.08, 0.075, 0.01), new(0.03, 0.029, 0.01),
            new(0.02, 0.018, 0.005), new(0.005, 0.0047, 0.0036), new(0.001, 0.001, 0.001),
        ],
        EndEffectorOffset = new(0, 0, 0.145),
        LowerLimits = Degrees(-170, -120, -170, -120, -170, -120, -175),
        UpperLimits = Degrees(170, 120, 170, 120, 170, 120, 175),
        MaxVelocities = Degrees(85, 85, 100, 75, 130, 135, 135),
        MaxTorques = [320, 320, 176, 176, 110, 40, 40],
        Damping = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        Armature = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05],
        VelocityGains = [120, 120, 60, 60, 15, 15, 8],
        Gravity = 9.81,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field (lengths, signs, finiteness).</summary>
    public void Validate()
    {
        int n = JointAxes.Length;
        if (n == 0) throw new ArgumentException($"ArmModel '{Name}': JointAxes is empty; an arm needs at least one joint.");
        CheckLength(JointOffsets.Length, nameof(JointOffsets));
        CheckLength(LinkMasses.Length, nameof(LinkMasses));
        CheckLength(LinkCentersOfMass.Length, nameof(LinkCentersOfMass));
        CheckLength(LinkInertias.Length, nameof(LinkInertias));
        CheckLength(LowerLimits.Length, nameof(LowerLimits));
        CheckLength(UpperLimits.Length, nameof(UpperLimits));
        CheckLength(MaxVelocities.Length, nameof(MaxVelocities));
        CheckLength(MaxTorques.Length, nameof(MaxTorques));
        CheckLength(Damping.Length, nameof(Damping));
        CheckLength(Armature.Length, nameof(Armature));
        CheckLength(VelocityGains.Length, nameof(VelocityGains));
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(JointAxes[i].Length - 1) > 1e-12)
                throw new ArgumentException($"ArmModel '{Name}': JointAxes[{i}] = {JointAxes[i]} is not a unit vector.");
            if (!(LinkMasses[i] > 0) || !double.IsFinite(LinkMasses[i]))
                throw new ArgumentException($"ArmModel '{Name}': LinkMasses[{i}] = {LinkMasses[i]} must be positive and finite.");
            Vec3 inertia = LinkInertias[i];
            if (!(inertia.X >= 0 && inertia.Y >= 0 && inertia.Z >= 0))
                throw new ArgumentException($"ArmModel '{Name}': LinkInertias[{i}] = {inertia} must be non-negative.");
            if (!(LowerLimits[i] < UpperLimits[i]))
                throw new ArgumentException($"ArmModel '{Name}': joint {i} limits [{LowerLimits[i]}, {UpperLimits[i]}] are empty.");
            if (!(MaxVelocities[i] > 0) || !(MaxTorques[i] > 0))
                throw new ArgumentException($"ArmModel '{Name}': joint {i} MaxVelocities and MaxTorques must be positive.");
            if (!(Damping[i] >= 0) || !(Armature[i] >= 0) || !(VelocityGains[i] >= 0))
                throw new ArgumentException($"ArmModel '{Name}': joint {i} Damping, Armature and VelocityGains must be non-negative.");
        }
        if (!double.IsFinite(Gravity)) throw new ArgumentException($"ArmModel '{Name}': Gravity = {Gravity} is not finite.");

        void CheckLength(int length, string field)
        {
            if (length != n)
                throw new ArgumentException($"ArmModel '{Name}': {field} has {length} entries but JointAxes has {n}; give one per joint.");
        }
    }

    private static double[] Degrees(params double[] degrees)
    {
        var radians = new double[degrees.Length];
        for (int i = 0; i < degrees.Length; i++) radians[i] = degrees[i] * (Math.PI / 180);
        return radians;
    }
}
