using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The master reading a simulated CiA 402 drive's whole SII over EtherCAT-over-UDP: categories as the drive
/// describes them, and damaged images refused.</summary>
[NonParallelizable]
public sealed class EcSiiReadTests
{
    [Test]
    public void Discover_SimulatedDrive_ReadsItsGeneralSyncManagerFmmuAndPdoCategories()
    {
        var drive = new SimulatedCia402Drive(serial: 77);
        using var segment = SimulatedEcSegment.ForDrives([drive]);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var slave = master.Discover()[0];
        var sii = slave.Sii!;
        Assert.That(slave.Name, Is.EqualTo("NafNative CiA402 drive"));
        Assert.That(sii.ConfigChecksumValid, Is.True);
        Assert.That(sii.General, Is.Not.Null);
        Assert.That(sii.General!.CoeDetails, Is.EqualTo(0x0F), "SDO, SDO information, PDO assignment and configuration; no complete access");
        Assert.That((sii.String(sii.General.GroupIndex), sii.String(sii.General.OrderIndex)), Is.EqualTo(("Servo drives", "NAF-402-SIM")));
        Assert.That(sii.Fmmus, Is.EqualTo(new byte[] { 1, 2, 3, 0 }), "outputs, inputs, mailbox status (the last byte pads the category)");
        Assert.That(sii.SyncManagers.Select(s => (s.Start, s.Type)), Is.EqualTo(new[] { ((ushort)0x1000, (byte)1), ((ushort)0x1080, (byte)2), ((ushort)0x1100, (byte)3), ((ushort)0x1180, (byte)4) }));
        Assert.That(sii.RxPdos.Select(p => (p.Index, p.SyncManager, sii.String(p.NameIndex))), Is.EqualTo(new[] { ((ushort)0x1600, (byte)2, "RxPDO 1") }));
        Assert.That(sii.TxPdos.Select(p => (p.Index, p.SyncManager, sii.String(p.NameIndex))), Is.EqualTo(new[] { ((ushort)0x1A00, (byte)3, "TxPDO 1") }));
        // The default PDOs are the mapping the drive starts with (read over CoE elsewhere): same objects, same order.
        Assert.That(sii.RxPdos[0].Entries.Select(e => new EcPdoEntry(e.Index, e.Subindex, e.Bits)), Is.EqualTo(EcPdoMapping.StandardOutputs.Pdos[0].Entries));
        Assert.That(sii.TxPdos[0].Entries.Select(e => new EcPdoEntry(e.Index, e.Subindex, e.Bits)), Is.EqualTo(EcPdoMapping.StandardInputs.Pdos[0].Entries));
        Assert.That(sii.TxPdos[0].Entries.Select(e => (sii.String(e.NameIndex), CoeDataType.Name(e.DataType))),
            Is.EqualTo(new[] { ("Statusword", "UNSIGNED16"), ("Position actual value", "INTEGER32"), ("Velocity actual value", "INTEGER32"), ("Modes of operation display", "INTEGER8") }));
        Assert.That(sii.Serial, Is.EqualTo(77u));
        Assert.That(sii.Strings, Is.EqualTo(drive.Esc.Sii.Strings), "what the drive's description says");
        Assert.That(sii.General, Is.EqualTo(drive.Esc.Sii.General));
    }

    [Test]
    public void ReadSii_CategoriesThatNeverEnd_AreRefusedNamingTheSlave()
    {
        using var segment = new SimulatedEcSegment([new SimulatedEsc(1, 2, 3, 4, "d", 0, 0)]);
        // Every SII word past the fixed header reads 0: category type 0 of size 0, again and again.
        using var master = new EcMaster(new SiiZeroingLink(new UdpEcLink(segment.EndPoint), fromWord: EcSii.CategoriesStart));
        var ex = Assert.Throws<EtherCatException>(() => master.Discover());
        Assert.That(ex!.Message, Does.Contain("slave 0x1001").And.Contain("without the end marker 0xFFFF").And.Contain("damaged or unprogrammed"));
    }

    // Rewrites SII data replies (FPRD 0x0508) for word addresses ≥ fromWord to zeros: an EEPROM damaged past its header.
    private sealed class SiiZeroingLink(IEcLink inner, int fromWord) : IEcLink
    {
        private readonly EcDatagram[] _datagrams = new EcDatagram[64];
        private readonly byte[] _frame = new byte[2048];
        private int _word;

        public string Name => inner.Name;

        public void Send(ReadOnlySpan<byte> payload)
        {
            payload.CopyTo(_frame);
            int n = EcFrame.Parse(_frame.AsSpan(0, payload.Length), _datagrams);
            for (int i = 0; i < n; i++)
                if (_datagrams[i] is { Command: EcCommand.Fpwr, Ado: 0x0502, Length: 6 } d)
                    _word = BinaryPrimitives.ReadUInt16LittleEndian(_frame.AsSpan(d.DataOffset + 2));
            inner.Send(payload);
        }

        public int Receive(Span<byte> payload, TimeSpan timeout)
        {
            int got = inner.Receive(payload, timeout);
            if (got <= 0 || _word < fromWord) return got;
            int n = EcFrame.Parse(payload[..got], _datagrams);
            for (int i = 0; i < n; i++)
                if (_datagrams[i] is { Command: EcCommand.Fprd, Ado: 0x0508 } d) payload.Slice(d.DataOffset, d.Length).Clear();
            return got;
        }

        public void Dispose() => inner.Dispose();
    }
}
