namespace NafNative.Recording;

/// <summary>What a viewer needs to draw every frame of a <see cref="EpisodeRecording"/>: the arm's kinematic model, the shapes
/// of the task's objects and the names of the task's per-frame values. Everything comes from the models the simulator
/// ran, so a viewer holds no robot or task geometry of its own.</summary>
/// <param name="Arm">The arm, drawn by forward kinematics from each frame's joint angles.</param>
/// <param name="Bodies">The task's moving objects (door, handle, cube, gripper fingers), each drawn at its recorded
/// pose; empty for tasks without objects.</param>
/// <param name="Target">How to draw the target point.</param>
/// <param name="Values">Name and unit of each entry of <see cref="RecordedFrame.Values"/>.</param>
public sealed record RecordedScene(ArmDescription Arm, IReadOnlyList<SceneBody> Bodies, SceneTarget Target, IReadOnlyList<SceneValue> Values)
{
    public void Validate()
    {
        if (Arm is null) throw new FormatException("scene.arm is missing.");
        Arm.Validate();
        if (Bodies is null) throw new FormatException("scene.bodies is missing.");
        for (int b = 0; b < Bodies.Count; b++)
        {
            var body = Bodies[b] ?? throw new FormatException($"scene.bodies[{b}] is null.");
            if (body.Geoms is null || body.Geoms.Count == 0) throw new FormatException($"scene.bodies[{b}] ({body.Name}) has no geoms to draw.");
            foreach (var g in body.Geoms)
            {
                string at = $"scene.bodies[{b}] ({body.Name}) geom {g?.Type}";
                if (g is null || !SceneGeom.Types.Contains(g.Type)) throw new FormatException($"{at}: type must be one of {string.Join(", ", SceneGeom.Types)}.");
                Vector(g.Size, 3, $"{at}.size");
                Vector(g.Position, 3, $"{at}.position");
                Vector(g.Quaternion, 4, $"{at}.quaternion");
                Vector(g.Rgba, 4, $"{at}.rgba");
            }
        }
        if (Target is null || !(Target.Radius > 0)) throw new FormatException("scene.target needs a positive radius.");
        if (Values is null) throw new FormatException("scene.values is missing.");
    }

    internal static void Vector(float[]? values, int length, string field)
    {
        if (values is null || values.Length != length)
            throw new FormatException($"{field} has {values?.Length.ToString() ?? "no"} numbers; it needs {length}.");
        foreach (float v in values)
            if (!float.IsFinite(v)) throw new FormatException($"{field} holds {v}, not a finite number.");
    }
}

/// <summary>A serial arm of revolute joints in the simulator's convention (ArmModel): with every angle zero each link
/// frame is aligned with the world; joint i sits at <see cref="JointOffsets"/>[i] in link i−1's frame (the base for
/// i = 0) and turns about <see cref="JointAxes"/>[i]; the end effector is <see cref="EndEffectorOffset"/> in the last
/// link's frame. Metres and radians.</summary>
/// <param name="Name">The arm model's name.</param>
/// <param name="JointOffsets">Joint i's origin in link i−1's frame (m).</param>
/// <param name="JointAxes">Joint i's unit axis in link i−1's frame (= link i's frame).</param>
/// <param name="EndEffectorOffset">The end effector in the last link's frame (m).</param>
/// <param name="LinkRadii">Drawing radius of each link (m; appearance only, the simulator has no link shapes).</param>
/// <param name="LowerLimits">Lower joint limits (rad).</param>
/// <param name="UpperLimits">Upper joint limits (rad).</param>
public sealed record ArmDescription(string Name, IReadOnlyList<float[]> JointOffsets, IReadOnlyList<float[]> JointAxes, float[] EndEffectorOffset,
    float[] LinkRadii, float[] LowerLimits, float[] UpperLimits)
{
    public void Validate()
    {
        if (JointAxes is null || JointAxes.Count == 0) throw new FormatException("scene.arm has no joints.");
        int n = JointAxes.Count;
        if (JointOffsets is null || JointOffsets.Count != n) throw new FormatException($"scene.arm.joint_offsets must have {n} entries, one per joint axis.");
        for (int i = 0; i < n; i++)
        {
            RecordedScene.Vector(JointOffsets[i], 3, $"scene.arm.joint_offsets[{i}]");
            RecordedScene.Vector(JointAxes[i], 3, $"scene.arm.joint_axes[{i}]");
        }
        RecordedScene.Vector(EndEffectorOffset, 3, "scene.arm.end_effector_offset");
        RecordedScene.Vector(LinkRadii, n, "scene.arm.link_radii");
        RecordedScene.Vector(LowerLimits, n, "scene.arm.lower_limits");
        RecordedScene.Vector(UpperLimits, n, "scene.arm.upper_limits");
    }
}

/// <summary>A rigid object: its shapes in its own frame (the frame whose world pose each frame records).</summary>
public sealed record SceneBody(string Name, IReadOnlyList<SceneGeom> Geoms);

/// <summary>One shape of a <see cref="SceneBody"/>, in MuJoCo's terms: <see cref="Size"/> is a box's half extents, a
/// sphere's radius (first entry), a capsule's or cylinder's radius and half length along its local z.</summary>
/// <param name="Type">One of <see cref="Types"/>.</param>
/// <param name="Size">Half extents, or radius and half length (m), as above.</param>
/// <param name="Position">Centre in the body frame (m).</param>
/// <param name="Quaternion">Orientation in the body frame (w, x, y, z).</param>
/// <param name="Rgba">Colour, each channel 0–1.</param>
public sealed record SceneGeom(string Type, float[] Size, float[] Position, float[] Quaternion, float[] Rgba)
{
    /// <summary>The shapes a viewer must draw.</summary>
    public static readonly IReadOnlyList<string> Types = ["box", "sphere", "capsule", "cylinder", "ellipsoid"];
}

/// <summary>How the target is drawn: a sphere of <see cref="Radius"/> (m; the task's success radius where it has one).</summary>
public sealed record SceneTarget(string Label, float Radius);

/// <summary>One per-frame value of a task (e.g. "door opening", "rad").</summary>
public sealed record SceneValue(string Name, string Unit);
