using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using NafNative.Sim.Mujoco;
using NafNative.Storage;

namespace NafNative.Sim.Tasks;

/// <summary>Where a task variant's rewritten MJCF lives: one folder per distinct text under the temp folder, beside
/// copies of the shared model files it includes, so every worker and process that asks for the same variant loads the
/// same file; and the MJCF edits door and cube variants share (find an element, write and read number lists).</summary>
internal static class VariantModelFile
{
    private static readonly string[] Includes = ["common.xml", "iiwa14_gripper.xml", "iiwa14_actuators.xml"];

    /// <summary>The path of <paramref name="xml"/> written as <c>&lt;kind&gt;.xml</c>, written now if it is not there.</summary>
    public static string For(string kind, string xml)
    {
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(xml)))[..16].ToLowerInvariant();
        string folder = Path.Combine(Path.GetTempPath(), "nafnative-variants", hash);
        string path = Path.Combine(folder, kind + ".xml");
        if (File.Exists(path)) return path;
        // Every file written whole, then renamed (includes first, the model last): another worker or process loading
        // the same variant never reads a part of one.
        foreach (string include in Includes)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(MujocoModels.Directory, include));
            AtomicFile.Write(Path.Combine(folder, include), file => file.Write(bytes));
        }
        AtomicFile.Write(path, file => file.Write(Encoding.UTF8.GetBytes(xml)));
        return path;
    }

    /// <summary>The one element <paramref name="tag"/> named <paramref name="name"/> in a task's MJCF.</summary>
    public static XElement Named(XDocument doc, string tag, string name) =>
        doc.Descendants(tag).Single(e => (string?)e.Attribute("name") == name);

    /// <summary>An MJCF number list ("0 -0.275 0.5"), round-trip exact.</summary>
    public static string Numbers(params double[] values) =>
        string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>The numbers of an MJCF number list.</summary>
    public static double[] ParseNumbers(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => double.Parse(t, CultureInfo.InvariantCulture))];
}
