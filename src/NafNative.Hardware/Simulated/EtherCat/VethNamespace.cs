using System.Diagnostics;

namespace NafNative.Hardware.Simulated.EtherCat;

/// <summary>A network namespace NAME and a veth pair NAME-m (in this namespace: the master's side) / NAME-s (inside
/// NAME: where simulated slaves listen), both up; disposing removes them. Made with iproute2's <c>ip</c>; needs root.
/// Never touches an existing interface.</summary>
public sealed class VethNamespace : IDisposable
{
    /// <exception cref="ArgumentException">The name leaves no room for the -m/-s suffix in a 15-character interface name.</exception>
    /// <exception cref="InvalidOperationException">An <c>ip</c> step failed (its message says which); nothing is left behind.</exception>
    public VethNamespace(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 13) throw new ArgumentException($"veth name '{name}' is too long: interface names are at most 15 characters with the -m/-s suffix.", nameof(name));
        Namespace = name;
        try
        {
            Ip($"netns add {name}");
            Ip($"link add {MasterSide} type veth peer name {SlaveSide}");
            Ip($"link set {SlaveSide} netns {name}");
            Ip($"link set {MasterSide} up");
            Ip($"-n {name} link set {SlaveSide} up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Namespace { get; }
    public string MasterSide => $"{Namespace}-m";
    public string SlaveSide => $"{Namespace}-s";

    /// <summary>Removes the pair and the namespace (quietly, whatever of them exists).</summary>
    public void Dispose()
    {
        Run($"link del {MasterSide}");
        Run($"netns del {Namespace}");
    }

    private static void Ip(string arguments)
    {
        var (code, error) = Run(arguments);
        if (code != 0) throw new InvalidOperationException($"ip {arguments} failed ({code}): {error.Trim()} (making a veth pair and a namespace needs root and iproute2).");
    }

    private static (int Code, string Error) Run(string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("cannot start ip (install iproute2).");
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, error);
    }
}
