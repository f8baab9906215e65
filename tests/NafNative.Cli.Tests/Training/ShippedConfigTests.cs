using NafNative.Cli.Training;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Training;

/// <summary>The task configs README recommends (configs/*.json) stay valid as the config schema changes.</summary>
public sealed class ShippedConfigTests
{
    private static IEnumerable<string> ShippedConfigs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NafNative.sln")))
                return Directory.GetFiles(Path.Combine(dir.FullName, "configs"), "*.json").Order();
        return [];
    }

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
