using System.Security.Cryptography;
using System.Text;
using NafNative.Sim.Mujoco;
using NafNative.Storage;

namespace NafNative.Sim.Tasks;

/// <summary>Where a task variant's rewritten MJCF lives: one folder per distinct text under the temp folder, beside
/// copies of the shared model files it includes, so every worker and process that asks for the same variant loads the
/// same file.</summary>
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
}
