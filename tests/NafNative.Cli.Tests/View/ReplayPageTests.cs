using NafNative.Cli.View;
using NUnit.Framework;

namespace NafNative.Cli.Tests.View;

/// <summary>The built page travels beside naf.dll (the build copies src/replay-page/dist there as viewer/).</summary>
public sealed class ReplayPageTests
{
    [Test]
    public void Load_BesideNaf_HasThePageAndItsBundle()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, ReplayPage.Folder);
        if (!File.Exists(Path.Combine(folder, "index.html")))
        {
            string reason = $"the replay page was not built into {folder}: {ReplayPage.BuildHint}";
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI builds the replay page: {reason}");
            Assert.Ignore(reason);
        }
        var page = ReplayPage.Load();
        Assert.That(page.Keys, Does.Contain("/index.html").And.Contain("/app.js").And.Contain("/style.css"));
        Assert.That(System.Text.Encoding.UTF8.GetString(page["/index.html"].Bytes), Does.Contain("<script src=\"app.js\">"));
        Assert.That(page["/app.js"].Bytes.Length, Is.GreaterThan(100_000), "three.js is bundled in, nothing is fetched from elsewhere");
    }

    [Test]
    public void Load_NotBuilt_SaysHowToBuildIt()
    {
        string empty = Directory.CreateTempSubdirectory("naf-no-page-").FullName;
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => ReplayPage.Load(empty))!;
            Assert.That(e.Message, Does.Contain("index.html").And.Contain("npm ci").And.Contain("npm run build"));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
