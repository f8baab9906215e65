using System.Xml.Linq;
using NafNative.Environments;
using NafNative.Sim.Mujoco;

namespace NafNative.Sim.Tasks;

/// <summary>Which side of the door (seen from the robot) its hinge is on.</summary>
public enum HingeSide
{
    /// <summary>Hinge at y = +0.30 m, handle to the robot's right (the nominal door).</summary>
    Left,
    /// <summary>The nominal door mirrored: hinge at y = −0.30 m, handle to the robot's left.</summary>
    Right,
}

/// <summary>One door the arm may meet: its direction, hinge side, panel width and mass, handle height, lever length,
/// handle spring and latch. <see cref="Options"/> writes its MJCF (door_push.xml / door_pull.xml with these values)
/// and returns the task settings that load it.</summary>
/// <remarks>The hinge stays where it is (y = ±0.30 m, front face 0.70 m away), so a wider door puts its handle further
/// from the hinge; the handle sits 8 cm in from the free edge, its lever pointing back toward the hinge. A right-hinged
/// door is the left-hinged one mirrored in the plane y = 0, with the hinge and handle axes flipped so that a positive
/// door angle still opens it the task's way and a positive handle angle is still the lever pressed down.</remarks>
public sealed record DoorVariant : ITaskVariant
{
    public required string Name { get; init; }
    public DoorDirection Direction { get; init; } = DoorDirection.Push;
    /// <summary>Hinge side. Default <see cref="HingeSide.Left"/>.</summary>
    public HingeSide Hinge { get; init; } = HingeSide.Left;
    /// <summary>Panel width (m). Default 0.55.</summary>
    public double Width { get; init; } = 0.55;
    /// <summary>Panel mass (kg). Default 5.</summary>
    public double Mass { get; init; } = 5;
    /// <summary>Height of the handle's spindle above the floor (m). Default 0.40.</summary>
    public double HandleHeight { get; init; } = 0.40;
    /// <summary>Lever length from the spindle to the knob (m). Default 0.10.</summary>
    public double LeverLength { get; init; } = 0.10;
    /// <summary>The handle's return spring (N·m/rad). Default 1.</summary>
    public double HandleSpring { get; init; } = 1;
    /// <summary>The latch's stiffness (N·m/rad) while engaged. Default 10,000.</summary>
    public double LatchStiffness { get; init; } = 10_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the field out of the range the arm and model allow.</summary>
    public void Validate()
    {
        static void In(string name, string field, double v, double lo, double hi, string unit)
        {
            if (!(v >= lo && v <= hi)) throw new ArgumentException($"door variant '{name}': {field} = {v} must be in [{lo}, {hi}] {unit}.");
        }
        if (!Enum.IsDefined(Direction)) throw new ArgumentException($"door variant '{Name}': direction {(int)Direction} is not push or pull.");
        if (!Enum.IsDefined(Hinge)) throw new ArgumentException($"door variant '{Name}': hinge {(int)Hinge} is not left or right.");
        In(Name, "width", Width, 0.40, 0.70, "m (the handle must stay within the arm's workspace)");
        In(Name, "mass", Mass, 0.5, 30, "kg");
        In(Name, "handle_height", HandleHeight, 0.25, 0.80, "m");
        In(Name, "lever_length", LeverLength, 0.05, 0.15, "m");
        In(Name, "handle_spring", HandleSpring, 0.1, 10, "N·m/rad");
        In(Name, "latch_stiffness", LatchStiffness, 100, 1e6, "N·m/rad");
    }

    /// <summary>The suites a run can draw doors from. <c>doors-5</c>: five doors that differ in what the arm must do
    /// (where the handle is and which way round, how far to press it, how hard to push); <c>doors-held-out</c>: doors no
    /// suite holds, for evaluation. Each opens the way its task does (push or pull).</summary>
    public static readonly IReadOnlyDictionary<string, DoorVariant[]> Suites = new Dictionary<string, DoorVariant[]>
    {
        ["doors-5"] =
        [
            new() { Name = "standard" },
            new() { Name = "wide-heavy", Width = 0.62, Mass = 12 },
            new() { Name = "low-short-lever", HandleHeight = 0.32, LeverLength = 0.07 },
            new() { Name = "high-stiff-handle", HandleHeight = 0.50, HandleSpring = 2.5 },
            new() { Name = "right-narrow-light", Hinge = HingeSide.Right, Width = 0.48, Mass = 2 },
        ],
        ["doors-held-out"] =
        [
            new() { Name = "mid-long-lever", Width = 0.58, HandleHeight = 0.45, LeverLength = 0.13, Mass = 8 },
            new() { Name = "narrow-low-stiff", Width = 0.50, HandleHeight = 0.35, HandleSpring = 2 },
            new() { Name = "right-wide-high", Hinge = HingeSide.Right, Width = 0.60, HandleHeight = 0.46, Mass = 7 },
        ],
    };

    /// <summary>The doors of suite <paramref name="suite"/>.</summary>
    public static DoorVariant[] Suite(string suite) => Suites.TryGetValue(suite, out var doors) ? doors
        : throw new ArgumentException($"unknown door suite '{suite}'; available: {string.Join(", ", Suites.Keys)}.");

    /// <summary>Task settings for this door: its MJCF written once per distinct variant (<see cref="VariantModelFile"/>).</summary>
    public DoorOptions Options()
    {
        Validate();
        return new DoorOptions { Direction = Direction, ModelFile = VariantModelFile.For("door", Mjcf()), LatchStiffness = LatchStiffness };
    }

    public IEnvironment CreateTask() => new DoorTask(Options());

    /// <summary>The variant's MJCF text.</summary>
    public string Mjcf()
    {
        string source = Path.Combine(MujocoModels.Directory, Direction == DoorDirection.Push ? "door_push.xml" : "door_pull.xml");
        var doc = XDocument.Load(source);
        XElement Named(string tag, string name) => VariantModelFile.Named(doc, tag, name);
        static string V(params double[] values) => VariantModelFile.Numbers(values);
        // s = +1: the model as written (hinge on the left, the door toward −y); −1: mirrored in y.
        double s = Hinge == HingeSide.Left ? 1 : -1;
        if (s < 0)
        {
            var door = Named("body", "door");
            double[] p = VariantModelFile.ParseNumbers((string)door.Attribute("pos")!);
            door.SetAttributeValue("pos", V(p[0], -p[1], p[2]));
            // Mirroring turns rotations around: flip the axes so the angles keep their meaning (see remarks).
            Named("joint", "door_hinge").SetAttributeValue("axis", V(0, 0, -1));
            Named("joint", "handle_hinge").SetAttributeValue("axis", V(1, 0, 0));
        }
        Named("geom", "door_panel").SetAttributeValue("pos", V(0, -s * Width / 2, 0.50));
        Named("geom", "door_panel").SetAttributeValue("size", V(0.02, Width / 2, 0.45));
        Named("geom", "door_panel").SetAttributeValue("mass", V(Mass));
        Named("body", "handle").SetAttributeValue("pos", V(-0.10, -s * (Width - 0.08), HandleHeight));
        Named("joint", "handle_hinge").SetAttributeValue("stiffness", V(HandleSpring));
        Named("geom", "handle_lever").SetAttributeValue("fromto", V(0, 0, 0, 0, s * LeverLength, 0));
        Named("geom", "handle_knob").SetAttributeValue("pos", V(0, s * LeverLength, 0));
        Named("site", "handle_grip").SetAttributeValue("pos", V(0, s * (LeverLength - 0.01), 0.03));
        return doc.ToString();
    }
}
