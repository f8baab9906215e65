using NafNative.Cli.Training;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Training;

/// <summary>The task configs README recommends (configs/*.json) stay valid as the config schema changes.</summary>
public sealed class ShippedConfigTests
{
    private static IEnumerable<string> ShippedConfigs() =>
        RepositoryRoot.Find() is string root ? Directory.GetFiles(Path.Combine(root, "configs"), "*.json").Order() : [];

    [Test]
    public void EveryShippedConfig_MergesAndValidates()
    {
        var files = ShippedConfigs().ToList();
        Assert.That(files, Is.Not.Empty, "configs/*.json next to NafNative.sln");
        foreach (string file in files)
        {
            var config = TrainConfig.Merge(new TrainConfig(), [(file, TrainConfig.ReadFile(file))]);
            Assert.DoesNotThrow(() => config.Validate(), file);
        }
    }

    [Test]
    public void DoorPullConfig_IsTheWiderNetworkTheAblationKept()
    {
        string file = ShippedConfigs().Single(f => Path.GetFileName(f) == "door-pull.json");
        var config = TrainConfig.Merge(new TrainConfig(), [(file, TrainConfig.ReadFile(file))]);
        Assert.That(config.Hidden, Is.EqualTo(new[] { 200, 200 }));
    }
}
