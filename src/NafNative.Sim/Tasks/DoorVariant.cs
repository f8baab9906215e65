using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using NafNative.Sim.Mujoco;
using NafNative.Storage;

namespace NafNative.Sim.Tasks;

/// <summary>One door the arm may meet: its direction, panel width and mass, handle height, lever length, handle
/// spring and latch. <see cref="Options"/> writes its MJCF (door_push.xml / door_pull.xml with these values) and
/// returns the task settings that load it.</summary>
/// <remarks>The hinge stays where it is (y = +0.30 m, front face 0.70 m away), so a wider door puts its handle further
/// to the robot's right; the handle sits 8 cm in from the free edge, its lever pointing back toward the hinge.</remarks>
public sealed record DoorVariant
{
    public required string Name { get; init; }
    public DoorDirection Direction { get; init; } = DoorDirection.Push;
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
        In(Name, "width", Width, 0.40, 0.70, "m (the handle must stay within the arm's workspace)");
        In(Name, "mass", Mass, 0.5, 30, "kg");
        In(Name, "handle_height", HandleHeight, 0.25, 0.80, "m");
        In(Name, "lever_length", LeverLength, 0.05, 0.15, "m");
        In(Name, "handle_spring", HandleSpring, 0.1, 10, "N·m/rad");
        In(Name, "latch_stiffness", LatchStiffness, 100, 1e6, "N·m/rad");
    }

    /// <summary>The suites a run can draw doors from. <c>doors-5</c>: five push doors that differ in what the arm must
    /// do (where the handle is, how far to press it, how hard to push); <c>doors-held-out</c>: doors no suite holds,
    /// for evaluation.</summary>
    public static readonly IReadOnlyDictionary<string, DoorVariant[]> Suites = new Dictionary<string, DoorVariant[]>
    {
        ["doors-5"] =
        [
            new() { Name = "standard" },
            new() { Name = "wide-heavy", Width = 0.62, Mass = 12 },
            new() { Name = "low-short-lever", HandleHeight = 0.32, LeverLength = 0.07 },
            new() { Name = "high-stiff-handle", HandleHeight = 0.50, HandleSpring = 2.5 },
            new() { Name = "narrow-light", Width = 0.48, Mass = 2 },
        ],
        ["doors-held-out"] =
        [
            new() { Name = "mid-long-lever", Width = 0.58, HandleHeight = 0.45, LeverLength = 0.13, Mass = 8 },
            new() { Name = "narrow-low-stiff", Width = 0.50, HandleHeight = 0.35, HandleSpring = 2 },
        ],
    };

    /// <summary>The doors of suite <paramref name="suite"/>.</summary>
    public static DoorVariant[] Suite(string suite) => Suites.TryGetValue(suite, out var doors) ? doors
        : throw new ArgumentException($"unknown door suite '{suite}'; available: {string.Join(", ", Suites.Keys)}.");

    /// <summary>Task settings for this door: its MJCF written once per distinct variant into a cache folder beside the
    /// shared model files it includes.</summary>
    public DoorOptions Options()
    {
        Validate();
        string xml = Mjcf();
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(xml)))[..16].ToLowerInvariant();
        string folder = Path.Combine(Path.GetTempPath(), "nafnative-doors", hash);
        string path = Path.Combine(folder, "door.xml");
        if (!File.Exists(path))
        {
            // Every file written whole, then renamed (includes first, the door last): another worker or process loading
            // the same variant never reads a part of one.
            foreach (string include in new[] { "common.xml", "iiwa14_gripper.xml", "iiwa14_actuators.xml" })
            {
                byte[] bytes = File.ReadAllBytes(Path.Combine(MujocoModels.Directory, include));
                AtomicFile.Write(Path.Combine(folder, include), file => file.Write(bytes));
            }
            AtomicFile.Write(path, file => file.Write(Encoding.UTF8.GetBytes(xml)));
        }
        return new DoorOptions { Direction = Direction, ModelFile = path, LatchStiffness = LatchStiffness };
    }

    /// <summary>The variant's MJCF text.</summary>
    public string Mjcf()
    {
        string source = Path.Combine(MujocoModels.Directory, Direction == DoorDirection.Push ? "door_push.xml" : "door_pull.xml");
        var doc = XDocument.Load(source);
        XElement Named(string tag, string name) => doc.Descendants(tag).Single(e => (string?)e.Attribute("name") == name);
        static string V(params double[] values) => string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        Named("geom", "door_panel").SetAttributeValue("pos", V(0, -Width / 2, 0.50));
        Named("geom", "door_panel").SetAttributeValue("size", V(0.02, Width / 2, 0.45));
        Named("geom", "door_panel").SetAttributeValue("mass", V(Mass));
        Named("body", "handle").SetAttributeValue("pos", V(-0.10, -(Width - 0.08), HandleHeight));
        Named("joint", "handle_hinge").SetAttributeValue("stiffness", V(HandleSpring));
        Named("geom", "handle_lever").SetAttributeValue("fromto", V(0, 0, 0, 0, LeverLength, 0));
        Named("geom", "handle_knob").SetAttributeValue("pos", V(0, LeverLength, 0));
        Named("site", "handle_grip").SetAttributeValue("pos", V(0, LeverLength - 0.01, 0.03));
        return doc.ToString();
    }
}
