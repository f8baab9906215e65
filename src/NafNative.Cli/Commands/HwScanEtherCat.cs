using NafNative.Hardware.EtherCat;

namespace NafNative.Cli.Commands;

/// <summary><c>naf hw scan --ethercat IF | --udp HOST:PORT</c>: every slave's identity, AL state and name, and what its
/// SII says: group and order number, mailbox and protocols, CoE details, SyncManagers, FMMUs and the default PDOs with
/// each entry's name and type. Leaves the slaves in INIT; moves nothing.</summary>
internal static class HwScanEtherCat
{
    public static int Run(IEcLink link, TextWriter stdout)
    {
        using var master = new EcMaster(link);
        var slaves = master.Discover();
        stdout.WriteLine($"{link.Name}: {slaves.Count} slave(s)");
        stdout.WriteLine("  pos  station  vendor      product     revision    serial      state   name");
        foreach (var s in slaves)
            stdout.WriteLine($"  {s.Position,3}  0x{s.Station:X4}   0x{s.Vendor:X8}  0x{s.Product:X8}  0x{s.Revision:X8}  {s.Serial,10}  {s.State,-6}  {s.Name}");
        foreach (var s in slaves)
            if (s.Sii is { } sii) Describe(s, sii, stdout);
        return 0;
    }

    private static void Describe(EcSlaveInfo slave, EcSii sii, TextWriter stdout)
    {
        stdout.WriteLine($"slave {slave.Position} (0x{slave.Station:X4}) SII, {sii.EepromBytes} B EEPROM{(sii.ConfigChecksumValid ? "" : ", configuration area checksum WRONG")}:");
        if (sii.General is { } g)
            stdout.WriteLine($"  group \"{sii.String(g.GroupIndex)}\", order \"{sii.String(g.OrderIndex)}\", CoE details 0x{g.CoeDetails:X2} ({CoeDetails(g.CoeDetails)}), " +
                $"{g.Ds402Channels} DS402 channel(s), E-bus {g.EbusCurrent} mA{((g.Flags & 0x02) != 0 ? ", LRD/LWR only" : "")}");
        else stdout.WriteLine("  no general category");
        stdout.WriteLine(sii.MailboxOut.Size == 0 ? "  no mailbox"
            : $"  mailbox out 0x{sii.MailboxOut.Start:X4}/{sii.MailboxOut.Size}, in 0x{sii.MailboxIn.Start:X4}/{sii.MailboxIn.Size}, protocols {Protocols(sii.MailboxProtocols)}");
        for (int i = 0; i < sii.SyncManagers.Count; i++)
        {
            var sm = sii.SyncManagers[i];
            stdout.WriteLine($"  SM{i} 0x{sm.Start:X4} length {sm.Length,4}  control 0x{sm.Control:X2}  {SmType(sm.Type)}{(sm.Enable == 0 ? " (disabled)" : "")}");
        }
        if (sii.Fmmus.Count > 0)
            stdout.WriteLine($"  FMMUs: {string.Join(", ", sii.Fmmus.Select((f, i) => $"{i} {FmmuUse(f)}"))}");
        foreach (var (pdos, kind) in new[] { (sii.RxPdos, "RxPDO (outputs)"), (sii.TxPdos, "TxPDO (inputs)") })
            foreach (var p in pdos)
            {
                stdout.WriteLine($"  {kind} 0x{p.Index:X4} \"{sii.String(p.NameIndex)}\" {(p.SyncManager == 0xFF ? "not assigned" : $"on SM{p.SyncManager}")}, {p.Bits} bits");
                foreach (var e in p.Entries)
                    stdout.WriteLine($"    0x{e.Index:X4}:{e.Subindex:X2} {e.Bits,2} bits  {CoeDataType.Name(e.DataType),-12} {sii.String(e.NameIndex)}");
            }
    }

    private static string CoeDetails(byte d)
    {
        string[] names = ["SDO", "SDO info", "PDO assign", "PDO config", "upload at start-up", "complete access"];
        var on = names.Where((_, bit) => (d & (1 << bit)) != 0).ToArray();
        return on.Length == 0 ? "none" : string.Join(", ", on);
    }

    private static string Protocols(ushort p)
    {
        string[] names = ["AoE", "EoE", "CoE", "FoE", "SoE", "VoE"];
        var on = names.Where((_, bit) => (p & (1 << bit)) != 0).ToArray();
        return on.Length == 0 ? "none" : string.Join(", ", on);
    }

    private static string SmType(byte t) => t switch { 1 => "mailbox out", 2 => "mailbox in", 3 => "outputs", 4 => "inputs", 0 => "unused", _ => $"type {t}" };

    private static string FmmuUse(byte f) => f switch { 1 => "outputs", 2 => "inputs", 3 => "SM status", 0 or 0xFF => "unused", _ => $"use {f}" };
}
