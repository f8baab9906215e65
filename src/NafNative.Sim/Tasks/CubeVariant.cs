using System.Xml.Linq;
using NafNative.Environments;
using NafNative.Sim.Arm;
using NafNative.Sim.Mujoco;

namespace NafNative.Sim.Tasks;

/// <summary>One pick-and-place setting the arm may meet: the cube's edge and mass, the floor region it starts in and
/// the region in the air its goal is drawn from. <see cref="Options"/> writes its MJCF (pick_place.xml with this
/// cube) and returns the task settings that load it.</summary>
public sealed record CubeVariant : ITaskVariant
{
    public required string Name { get; init; }
    /// <summary>The cube's edge (m). Default 0.04.</summary>
    public double Size { get; init; } = 0.04;
    /// <summary>The cube's mass (kg). Default 0.1.</summary>
    public double Mass { get; init; } = 0.1;
    /// <summary>Centre (x, y) of the floor region the cube starts in (m). Default (0.55, 0).</summary>
    public (double X, double Y) StartCenter { get; init; } = (0.55, 0);
    /// <summary>Half extents (x, y) of that region (m). Default (0.10, 0.15).</summary>
    public (double X, double Y) StartHalfExtents { get; init; } = (0.10, 0.15);
    /// <summary>Centre of the goal region (m). Default (0.55, 0, 0.175).</summary>
    public Vec3 GoalCenter { get; init; } = new(0.55, 0, 0.175);
    /// <summary>Half extents of the goal region (m). Default (0.10, 0.15, 0.075).</summary>
    public Vec3 GoalHalfExtents { get; init; } = new(0.10, 0.15, 0.075);

    // Where the arm's hand can reach a cube on the floor and hold one up with the default workspace box.
    private const double MinX = 0.30, MaxX = 0.80, MaxAbsY = 0.40, MinGoalZ = 0.05, MaxGoalZ = 0.50;

    /// <summary>Throws <see cref="ArgumentException"/> naming the field out of the range the arm and model allow.</summary>
    public void Validate()
    {
        void In(string field, double v, double lo, double hi, string unit)
        {
            if (!(v >= lo && v <= hi)) throw new ArgumentException($"cube variant '{Name}': {field} = {v} must be in [{lo}, {hi}] {unit}.");
        }
        In("size", Size, 0.035, 0.07, "m (the open fingers are 8 cm apart; a smaller cube slips out between the fingertips of this gripper)");
        In("mass", Mass, 0.01, 1.0, "kg");
        In("start_half_extents.x", StartHalfExtents.X, 0, 0.25, "m");
        In("start_half_extents.y", StartHalfExtents.Y, 0, 0.40, "m");
        In("start x", StartCenter.X - StartHalfExtents.X, MinX, MaxX, "m at its near edge (the arm's reach)");
        In("start x", StartCenter.X + StartHalfExtents.X, MinX, MaxX, "m at its far edge (the arm's reach)");
        In("start y", Math.Abs(StartCenter.Y) + StartHalfExtents.Y, 0, MaxAbsY, "m at its outer edge, in |y| (the arm's reach)");
        In("goal_half_extents.x", GoalHalfExtents.X, 0, 0.25, "m");
        In("goal_half_extents.y", GoalHalfExtents.Y, 0, 0.40, "m");
        In("goal_half_extents.z", GoalHalfExtents.Z, 0, 0.20, "m");
        In("goal x", GoalCenter.X - GoalHalfExtents.X, MinX, MaxX, "m at its near edge (the arm's reach)");
        In("goal x", GoalCenter.X + GoalHalfExtents.X, MinX, MaxX, "m at its far edge (the arm's reach)");
        In("goal y", Math.Abs(GoalCenter.Y) + GoalHalfExtents.Y, 0, MaxAbsY, "m at its outer edge, in |y| (the arm's reach)");
        In("goal z", GoalCenter.Z - GoalHalfExtents.Z, MinGoalZ, MaxGoalZ, "m at its bottom (in the air, so the cube must be lifted)");
        In("goal z", GoalCenter.Z + GoalHalfExtents.Z, MinGoalZ, MaxGoalZ, "m at its top");
    }

    /// <summary>The suites a run can draw cubes from. <c>cubes-5</c>: five settings that differ in what the arm must
    /// do (how wide to open, how hard to hold, where to reach and carry to); <c>cubes-held-out</c>: settings no suite
    /// holds, for evaluation.</summary>
    public static readonly IReadOnlyDictionary<string, CubeVariant[]> Suites = new Dictionary<string, CubeVariant[]>
    {
        ["cubes-5"] =
        [
            new() { Name = "standard" },
            new() { Name = "small-light", Size = 0.035, Mass = 0.05 },
            new() { Name = "large-heavy", Size = 0.06, Mass = 0.3 },
            new() { Name = "left-to-right", StartCenter = (0.50, 0.15), StartHalfExtents = (0.06, 0.06),
                GoalCenter = new Vec3(0.50, -0.15, 0.175), GoalHalfExtents = new Vec3(0.06, 0.06, 0.075) },
            new() { Name = "high-goal", GoalCenter = new Vec3(0.55, 0, 0.325) },
        ],
        ["cubes-held-out"] =
        [
            new() { Name = "mid-near", Size = 0.05, Mass = 0.2, StartCenter = (0.45, 0), StartHalfExtents = (0.05, 0.10) },
            new() { Name = "right-to-left", Size = 0.045, StartCenter = (0.50, -0.12), StartHalfExtents = (0.05, 0.05),
                GoalCenter = new Vec3(0.50, 0.12, 0.20), GoalHalfExtents = new Vec3(0.05, 0.05, 0.05) },
        ],
    };

    /// <summary>The settings of suite <paramref name="suite"/>.</summary>
    public static CubeVariant[] Suite(string suite) => Suites.TryGetValue(suite, out var cubes) ? cubes
        : throw new ArgumentException($"unknown cube suite '{suite}'; available: {string.Join(", ", Suites.Keys)}.");

    /// <summary>Task settings for this setting: its MJCF written once per distinct variant (<see cref="VariantModelFile"/>).</summary>
    public PickPlaceOptions Options()
    {
        Validate();
        return new PickPlaceOptions
        {
            ModelFile = VariantModelFile.For("pick_place", Mjcf()),
            CubeSize = Size,
            CubeCenter = new Vec3(StartCenter.X, StartCenter.Y, Size / 2),
            CubeHalfExtents = new Vec3(StartHalfExtents.X, StartHalfExtents.Y, 0),
            GoalCenter = GoalCenter,
            GoalHalfExtents = GoalHalfExtents,
        };
    }

    public IEnvironment CreateTask() => new PickPlaceTask(Options());

    /// <summary>The variant's MJCF text.</summary>
    public string Mjcf()
    {
        var doc = XDocument.Load(Path.Combine(MujocoModels.Directory, "pick_place.xml"));
        XElement Named(string tag, string name) => VariantModelFile.Named(doc, tag, name);
        static string V(params double[] values) => VariantModelFile.Numbers(values);
        double h = Size / 2;
        Named("body", "cube").SetAttributeValue("pos", V(StartCenter.X, StartCenter.Y, h));
        Named("geom", "cube").SetAttributeValue("size", V(h, h, h));
        Named("geom", "cube").SetAttributeValue("mass", V(Mass));
        return doc.ToString();
    }
}
