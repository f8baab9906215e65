using System.Diagnostics;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>A veth pair made for one test: <see cref="MasterSide"/> in this namespace, <see cref="SlaveSide"/> inside a
/// network namespace of its own; both removed on dispose. Needs root (CI runs as root); never touches a real
/// interface.</summary>
internal sealed class VethPair : IDisposable
{
    public VethPair()
    {
        string tag = $"{Environment.ProcessId % 10000:D4}{Random.Shared.Next(100):D2}";
        Namespace = $"nafec{tag}";
        MasterSide = $"ecm{tag}";
        SlaveSide = $"ecs{tag}";
        try
        {
            Ip($"netns add {Namespace}");
            Ip($"link add {MasterSide} type veth peer name {SlaveSide}");
            Ip($"link set {SlaveSide} netns {Namespace}");
            Ip($"link set {MasterSide} up");
            Ip($"-n {Namespace} link set {SlaveSide} up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Namespace { get; }
    public string MasterSide { get; }
    public string SlaveSide { get; }

    /// <summary>Ignores the test (with the reason) unless this process may make namespaces and raw sockets; under
    /// CI=true (root) a missing capability is a failure, so the raw path is always tested there.</summary>
    public static void RequireRoot()
    {
        bool hasIp = File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip");
        if (Environment.UserName == "root" && hasIp) return;
        string reason = "raw EtherCAT tests need root and iproute2 (ip) to make a veth pair and a network namespace";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(reason);
        Assert.Ignore(reason);
    }

    public void Dispose()
    {
        TryIp($"link del {MasterSide}");
        TryIp($"netns del {Namespace}");
    }

    private static void Ip(string arguments)
    {
        var (code, error) = Run(arguments);
        if (code != 0) throw new InvalidOperationException($"ip {arguments} failed ({code}): {error}");
    }

    private static void TryIp(string arguments) => Run(arguments);

    private static (int Code, string Error) Run(string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, error);
    }
}
