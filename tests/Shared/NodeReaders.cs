using System.Diagnostics;
using NUnit.Framework;

namespace NafNative.TestSupport;

/// <summary>Runs the independent Node.js readers in tests/ (their npm packages pinned by package-lock.json and
/// installed by <c>npm ci</c> at set-up, as .ci/run does). Without node or the installed packages a test is skipped
/// with what to run, except under CI (CI=true), which installs both and so must never skip silently.</summary>
internal static class NodeReaders
{
    /// <summary>The reader's folder (tests/<paramref name="name"/>), or the test is skipped/failed as above.</summary>
    public static string Require(string name)
    {
        string? root = RepositoryRoot.Find();
        string? reason = null;
        string folder = root is null ? "" : Path.Combine(root, "tests", name);
        if (root is null) reason = $"tests/{name} not found above {AppContext.BaseDirectory}";
        else if (Which("node") is null) reason = "node is not installed: apt-get install -y nodejs npm";
        else if (!Directory.Exists(Path.Combine(folder, "node_modules"))) reason = $"its npm packages are not installed: (cd tests/{name} && npm ci)";
        if (reason is null) return folder;
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must run the {name} tests: {reason}");
        Assert.Ignore(reason);
        return folder;
    }

    /// <summary>Runs <c>node script args…</c> in <paramref name="folder"/>; fails the test with its stderr unless it exits 0.</summary>
    public static string Run(string folder, string script, params string[] args) => Run(folder, script, TimeSpan.FromSeconds(60), args);

    /// <summary>As <see cref="Run(string, string, string[])"/>, killed after <paramref name="timeout"/> (a browser on a
    /// busy machine needs longer than a file reader).</summary>
    public static string Run(string folder, string script, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(folder, script));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        // Both streams drain in the background, so the timeout below holds even when the script hangs.
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node {script} did not finish within {timeout.TotalSeconds:F0} s");
        }
        process.WaitForExit(); // the streams are complete once the process has exited
        Assert.That(process.ExitCode, Is.Zero, $"node {script} {string.Join(' ', args)} failed: {stderr.Result}");
        return stdout.Result;
    }

    private static string? Which(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, program))) return Path.Combine(dir, program);
        return null;
    }
}
