using System.Diagnostics;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>Runs Debian's tshark (Wireshark's dissectors: ecatf, ecat, ecat_mailbox) over a capture file.</summary>
internal static class Tshark
{
    private static readonly string? Path = Find();

    private static string? Find()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
            if (File.Exists(System.IO.Path.Combine(dir, "tshark"))) return System.IO.Path.Combine(dir, "tshark");
        return null;
    }

    /// <summary>Ignores the test, saying how to install tshark, where it is missing; under CI=true (where .ci/run
    /// installs it) a missing tshark is a failure, so the decode checks always run there.</summary>
    public static void Require()
    {
        if (Path is not null) return;
        const string reason = "tshark is not installed: the EtherCAT capture checks need it (apt-get install -y tshark)";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(reason + "; .ci/run installs it");
        Assert.Ignore(reason);
    }

    /// <summary>tshark's standard output for <paramref name="arguments"/>; a non-zero exit fails the test.</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        string error = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(); Assert.Fail($"tshark {string.Join(' ', arguments)} did not finish in 60 s"); }
        Assert.That(p.ExitCode, Is.Zero, $"tshark {string.Join(' ', arguments)}: {error}");
        return output.Result;
    }

    /// <summary>One row per frame of <paramref name="pcap"/>: the values of <paramref name="fields"/>, tab-separated
    /// in tshark's output, several occurrences of a field joined by commas. <paramref name="udpPort"/>: decode UDP on
    /// that port as EtherCAT too (tshark does so by itself only for 34980).</summary>
    public static string[][] Fields(string pcap, int? udpPort, params string[] fields)
    {
        var args = new List<string>(Read(pcap, udpPort)) { "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=," };
        foreach (string f in fields) args.AddRange(["-e", f]);
        return Run([.. args]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToArray();
    }

    /// <summary>How many frames match the display filter.</summary>
    public static int Count(string pcap, string filter, int? udpPort = null) =>
        Run([.. Read(pcap, udpPort), "-Y", filter, "-T", "fields", "-e", "frame.number"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>tshark's expert information at warning level and above: one line per kind (frequency, group,
    /// protocol, summary), none when the capture is clean.</summary>
    public static string[] ExpertWarningsAndErrors(string pcap, int? udpPort = null) =>
        Run([.. Read(pcap, udpPort), "-q", "-z", "expert,warn"]).Split('\n').Where(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0])).ToArray();

    private static string[] Read(string pcap, int? udpPort) => udpPort is int port ? ["-r", pcap, "-d", $"udp.port=={port},ecatf"] : ["-r", pcap];
}
