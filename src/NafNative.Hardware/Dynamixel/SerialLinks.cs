namespace NafNative.Hardware.Dynamixel;

/// <summary>Opens the serial link a robot file or a CLI command asks for.</summary>
public static class SerialLinks
{
    /// <summary>Driver names: "posix" (termios, Linux, the default there) or "system.io.ports".</summary>
    public static readonly string[] Drivers = ["posix", "system.io.ports"];

    public static string DefaultDriver => OperatingSystem.IsLinux() ? "posix" : "system.io.ports";

    public static ISerialLink Open(string port, int baud, string? driver = null) => (driver ?? DefaultDriver) switch
    {
        "posix" => new PosixSerialLink(port, baud),
        "system.io.ports" => new SerialPortLink(port, baud),
        var other => throw new ArgumentException($"serial driver '{other}' is not known; use {string.Join(" or ", Drivers)}.", nameof(driver)),
    };
}
