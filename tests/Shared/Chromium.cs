using NUnit.Framework;

namespace NafNative.TestSupport;

/// <summary>Debian's Chromium for the browser tests (tests/replay-browser drives it headless). Without it a test is
/// skipped with the install command, except under CI (CI=true), which installs it (.ci/run) and so must never skip
/// silently.</summary>
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";
    public const string InstallCommand = "apt-get install -y chromium chromium-driver";

    public static void Require()
    {
        if (File.Exists(Path)) return;
        string reason = $"Chromium is not installed ({Path} is missing): {InstallCommand}";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must run the browser tests: {reason}");
        Assert.Ignore(reason);
    }
}
