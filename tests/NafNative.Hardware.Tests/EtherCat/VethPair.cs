namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The test side of <see cref="NafNative.Hardware.Simulated.EtherCat.VethNamespace"/>: a name of its own per test, and whether
/// this process may make one.</summary>
internal static class VethPair
{
    /// <summary>A namespace and veth pair for one test (removed on dispose).</summary>
    public static NafNative.Hardware.Simulated.EtherCat.VethNamespace Create() =>
        new($"nafec{Environment.ProcessId % 10000:D4}{Random.Shared.Next(100):D2}");

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
}
