namespace NafNative.Hardware.Simulated;

/// <summary>Faults a simulated servo chain can be told to produce.</summary>
public enum ServoFaultKind
{
    /// <summary>The next <c>Count</c> status packets are not sent (a lost reply).</summary>
    DropReply,
    /// <summary>The next <c>Count</c> status packets go out with a wrong CRC.</summary>
    CorruptCrc,
    /// <summary>The next <c>Count</c> status packets are sent <c>Delay</c> late (past the master's timeout).</summary>
    DelayReply,
    /// <summary>Servo <c>Id</c> latches an overload: Hardware Error Status bit 5, torque off, alert bit in every status
    /// packet until REBOOT.</summary>
    Overload,
    /// <summary>Servo <c>Id</c> loses power and its cable: it answers nothing and its motor is off.</summary>
    Unplug,
    /// <summary>Servo <c>Id</c> is plugged back in (it boots with torque off, as after a power cycle).</summary>
    Replug,
}

/// <summary>One injected fault. <paramref name="Id"/> names the servo for servo faults; <paramref name="Count"/> how
/// many replies a reply fault affects; <paramref name="Delay"/> how late a delayed reply is.</summary>
public readonly record struct ServoFault(ServoFaultKind Kind, byte Id = 0, int Count = 1, TimeSpan Delay = default)
{
    /// <summary>Parses the CLI form: <c>drop[:COUNT]</c>, <c>crc[:COUNT]</c>, <c>delay:MS[:COUNT]</c>,
    /// <c>overload:ID</c>, <c>unplug:ID</c>, <c>replug:ID</c>.</summary>
    public static ServoFault Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string[] parts = text.Split(':');
        string usage = $"fault '{text}': use drop[:COUNT], crc[:COUNT], delay:MS[:COUNT], overload:ID, unplug:ID or replug:ID";
        int Int(int index, int fallback, int min, int max)
        {
            if (parts.Length <= index) return fallback;
            if (!int.TryParse(parts[index], out int v) || v < min || v > max) throw new FormatException($"{usage} ({parts[index]} is not in {min}..{max}).");
            return v;
        }
        switch (parts[0].ToLowerInvariant())
        {
            case "drop": return new ServoFault(ServoFaultKind.DropReply, Count: Int(1, 1, 1, 1_000_000));
            case "crc": return new ServoFault(ServoFaultKind.CorruptCrc, Count: Int(1, 1, 1, 1_000_000));
            case "delay":
                if (parts.Length < 2) throw new FormatException(usage);
                return new ServoFault(ServoFaultKind.DelayReply, Count: Int(2, 1, 1, 1_000_000), Delay: TimeSpan.FromMilliseconds(Int(1, 0, 1, 60_000)));
            case "overload" or "unplug" or "replug":
                if (parts.Length < 2) throw new FormatException(usage);
                var kind = parts[0].ToLowerInvariant() switch { "overload" => ServoFaultKind.Overload, "unplug" => ServoFaultKind.Unplug, _ => ServoFaultKind.Replug };
                return new ServoFault(kind, Id: (byte)Int(1, 0, 0, 252));
            default: throw new FormatException(usage + ".");
        }
    }
}
