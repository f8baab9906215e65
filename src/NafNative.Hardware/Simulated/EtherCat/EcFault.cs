namespace NafNative.Hardware.Simulated.EtherCat;

/// <summary>Faults a simulated EtherCAT segment can be told to produce (the CLI's <c>--fault</c>).</summary>
public enum EcFaultKind
{
    /// <summary>The next <c>Count</c> frames are lost.</summary>
    LostFrames,
    /// <summary>The link goes down: every frame from now on is lost.</summary>
    LinkDown,
    /// <summary>Slave <c>Slave</c> drops to SAFE-OP+ERROR (AL status code 0x001A, synchronization error).</summary>
    SafeOpError,
    /// <summary>The drive behind slave <c>Slave</c> faults (CiA 402 Fault until a fault reset).</summary>
    DriveFault,
    /// <summary>The next <c>Count</c> frames come back with a byte of their first datagram flipped: its length
    /// field, or the high byte of its working counter, in turn.</summary>
    CorruptDatagrams,
    /// <summary>Slave <c>Slave</c> loses power for <c>Count</c> milliseconds: it and every slave behind it stop
    /// answering (the line is cut there; for slave 0 no frame comes back), then it returns as after power-on (INIT, no
    /// station address, no SyncManagers or FMMUs; its drive switched off with its default PDO mapping). The slaves
    /// behind it kept power: their SM watchdog drops them to SAFE-OP+ERROR while no process data reach them.</summary>
    SlaveLost,
    /// <summary>The next <c>Count</c> frames are processed by every slave but their replies are lost on the way back:
    /// the slaves acted (a write took effect, a mailbox was read empty) and the master sees nothing.</summary>
    LostReplies,
}

/// <summary>One injected EtherCAT fault.</summary>
public readonly record struct EcFault(EcFaultKind Kind, int Slave = 0, int Count = 1)
{
    /// <summary>Parses <c>lost[:N]</c>, <c>corrupt[:N]</c>, <c>link-down</c>, <c>safeop-error:SLAVE</c>, <c>drive-fault:SLAVE</c>,
    /// <c>slave-lost:SLAVE[:MS]</c> (MS: how long it stays off, default 500), <c>lost-reply[:N]</c>.</summary>
    public static EcFault Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string[] p = text.Split(':');
        string usage = $"fault '{text}': use lost[:N], link-down, corrupt[:N], safeop-error:SLAVE, drive-fault:SLAVE, slave-lost:SLAVE[:MS] or lost-reply[:N]";
        int Int(int index, int fallback)
        {
            if (p.Length <= index) return fallback;
            return int.TryParse(p[index], out int v) && v >= 0 ? v : throw new FormatException($"{usage} ('{p[index]}' is not a number ≥ 0).");
        }
        return p[0].ToLowerInvariant() switch
        {
            "lost" => new EcFault(EcFaultKind.LostFrames, Count: Math.Max(1, Int(1, 1))),
            "link-down" => new EcFault(EcFaultKind.LinkDown),
            "lost-reply" => new EcFault(EcFaultKind.LostReplies, Count: Math.Max(1, Int(1, 1))),
            "corrupt" => new EcFault(EcFaultKind.CorruptDatagrams, Count: Math.Max(1, Int(1, 1))),
            "safeop-error" when p.Length == 2 => new EcFault(EcFaultKind.SafeOpError, Slave: Int(1, 0)),
            "drive-fault" when p.Length == 2 => new EcFault(EcFaultKind.DriveFault, Slave: Int(1, 0)),
            "slave-lost" when p.Length is 2 or 3 => new EcFault(EcFaultKind.SlaveLost, Slave: Int(1, 0), Count: Int(2, 500)),
            _ => throw new FormatException(usage + "."),
        };
    }
}
