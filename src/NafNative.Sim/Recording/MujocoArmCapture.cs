using NafNative.Recording;
using NafNative.Sim.Mujoco;

namespace NafNative.Sim.Recording;

/// <summary>Frames of a <see cref="MujocoArmTask"/>: the arm by its joint angles (drawn from its kinematic model), and
/// every other body that has shapes (door, handle, cube, gripper fingers) by its world pose, with its shapes read from
/// the compiled MJCF.</summary>
/// <remarks>The arm's own link bodies (link1 … link7 in iiwa14_gripper.xml) are left out: a viewer draws them from
/// <see cref="RecordedScene.Arm"/>. The world body's geoms (the floor) are left out too; planes, height fields and
/// meshes are not drawn.</remarks>
public abstract class MujocoArmCapture : IEpisodeCapture
{
    private readonly MujocoArmTask _task;
    private readonly int[] _bodies;
    private readonly int _joints;

    private protected MujocoArmCapture(MujocoArmTask task, Arm.ArmModel arm, SceneTarget target, IReadOnlyList<SceneValue> values)
    {
        _task = task ?? throw new ArgumentNullException(nameof(task));
        _joints = arm.DegreesOfFreedom;
        var model = task.ModelHandle;
        var armLinks = Enumerable.Range(1, _joints).Select(i => $"link{i}").ToHashSet();
        var geomsByBody = new SortedDictionary<int, List<SceneGeom>>();
        for (int g = 0; g < model.GeomCount; g++)
        {
            int body = model.GeomBody(g);
            if (body == 0 || armLinks.Contains(model.Name(MujocoObject.Body, body) ?? "")) continue;
            if (Shape(model.GeomType(g)) is not string type) continue;
            if (!geomsByBody.TryGetValue(body, out var list)) geomsByBody[body] = list = [];
            list.Add(new SceneGeom(type, Floats(model.GeomSize(g)), Floats(model.GeomPosition(g)), Floats(model.GeomQuaternion(g)), model.GeomRgba(g).ToArray()));
        }
        _bodies = [.. geomsByBody.Keys];
        var bodies = geomsByBody.Select(p => new SceneBody(model.Name(MujocoObject.Body, p.Key) ?? $"body{p.Key}", p.Value)).ToArray();
        Scene = new RecordedScene(ArmDescriptions.From(arm), bodies, target, values);
    }

    public RecordedScene Scene { get; }

    public RecordedFrame Capture(double time, float reward)
    {
        var joints = new float[_joints];
        for (int i = 0; i < _joints; i++) joints[i] = (float)_task.JointAngle(i);
        ReadOnlySpan<double> positions = _task.Simulation.BodyPositions, quaternions = _task.Simulation.BodyQuaternions;
        var poses = new float[RecordedFrame.PoseSize * _bodies.Length];
        for (int b = 0; b < _bodies.Length; b++)
        {
            int id = _bodies[b], at = RecordedFrame.PoseSize * b;
            for (int k = 0; k < 3; k++) poses[at + k] = (float)positions[3 * id + k];
            for (int k = 0; k < 4; k++) poses[at + 3 + k] = (float)quaternions[4 * id + k];
        }
        return new RecordedFrame(time, joints, ArmDescriptions.Floats(_task.EndEffectorPosition), ArmDescriptions.Floats(_task.TargetPosition),
            poses, Values(), reward);
    }

    /// <summary>The task's values now, in the order of <see cref="RecordedScene.Values"/>.</summary>
    private protected abstract float[] Values();

    private static string? Shape(MujocoGeomType type) => type switch
    {
        MujocoGeomType.Box => "box",
        MujocoGeomType.Sphere => "sphere",
        MujocoGeomType.Capsule => "capsule",
        MujocoGeomType.Cylinder => "cylinder",
        MujocoGeomType.Ellipsoid => "ellipsoid",
        _ => null,
    };

    private static float[] Floats(ReadOnlySpan<double> values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }
}
