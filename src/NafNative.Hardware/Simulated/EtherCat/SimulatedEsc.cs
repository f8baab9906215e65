using System.Buffers.Binary;
using System.Text;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

/// <summary>A software EtherCAT slave controller: the 64 KiB register/process-RAM space, datagram processing with
/// working counters (physical, broadcast and logical through FMMUs), the SII EEPROM interface, and the AL state
/// machine with its status codes.</summary>
/// <remarks>
/// <para>Registers (ETG.1000.4; Beckhoff ESC datasheet section II): 0x0000 type, 0x0004/0x0005 FMMU/SM count,
/// 0x0010 configured station address, 0x0120 AL control, 0x0130 AL status, 0x0134 AL status code, 0x0500–0x050F SII
/// interface, 0x0600 FMMUs (16 B each), 0x0800 SyncManagers (8 B each).</para>
/// <para>AL rules: a request moves at most INIT ↔ PRE-OP ↔ SAFE-OP ↔ OP one step up (down: any lower state); anything
/// else sets the error flag with 0x0011 until the master acknowledges (AL control bit 4). PRE-OP needs the mailbox
/// SyncManagers 0/1 enabled (else 0x0016); SAFE-OP needs SM2/SM3 sized as the process data (else 0x001D/0x001E).</para>
/// <para>Used by the segment's thread only.</para>
/// </remarks>
public sealed partial class SimulatedEsc
{
    public const int FmmuCount = 8, SmCount = 8;
    private readonly byte[] _memory = new byte[0x10000];
    private readonly ushort[] _sii;
    private bool _lastInLine = true;

    /// <param name="vendor">SII vendor ID.</param>
    /// <param name="product">SII product code.</param>
    /// <param name="revision">SII revision.</param>
    /// <param name="serial">SII serial number.</param>
    /// <param name="name">SII device name string.</param>
    /// <param name="outputBytes">Process data the master writes (SM2).</param>
    /// <param name="inputBytes">Process data the master reads (SM3).</param>
    /// <param name="coe">Announce CoE in the SII (give it a <see cref="Dictionary"/>).</param>
    public SimulatedEsc(uint vendor, uint product, uint revision, uint serial, string name, int outputBytes, int inputBytes, bool coe = false)
        : this(DefaultSii(vendor, product, revision, serial, name, coe), outputBytes, inputBytes)
    {
    }

    /// <summary>An ESC serving the SII image <see cref="SiiImage.Build"/> writes from <paramref name="sii"/>.</summary>
    public SimulatedEsc(EcSii sii, int outputBytes, int inputBytes)
    {
        ArgumentNullException.ThrowIfNull(sii);
        OutputBytes = outputBytes;
        InputBytes = inputBytes;
        Sii = sii;
        _sii = SiiImage.Build(sii);
        PowerOnRegisters();
    }

    // The register file as an ESC starts it: identity and features, INIT, and everything a master configures (station
    // address, SyncManagers, FMMUs, process RAM) cleared.
    private void PowerOnRegisters()
    {
        Array.Clear(_memory);
        _memory[0x0000] = 0x11; // ESC type (an ET1100-like controller)
        _memory[0x0001] = 0x02;
        _memory[0x0004] = FmmuCount;
        _memory[0x0005] = SmCount;
        _memory[0x0007] = 0x0F; // port descriptor: ports 0 and 1 MII, 2 and 3 not implemented
        _memory[0x0008] = 0x00; // features: no Distributed Clocks (bit 2 clear), so masters skip DC set-up
        SetLinePosition(_lastInLine);
        SetAlStatus(AlState.Init, 0);
        ProcessDataWritten = false;
    }

    /// <summary>The slave lost power and came back: the ESC starts afresh (INIT, no station address, SyncManagers and
    /// FMMUs off), and so does the application behind it (<see cref="PoweredOn"/>). The SII is kept (it is an EEPROM).</summary>
    public void PowerCycle()
    {
        PowerOnRegisters();
        PoweredOn?.Invoke();
    }

    /// <summary>Raised by <see cref="PowerCycle"/>, for the device behind the ESC to restart too.</summary>
    public event Action? PoweredOn;

    /// <summary>What the SII image says (the image itself is built from it).</summary>
    public EcSii Sii { get; }

    /// <summary>The CoE object dictionary behind the mailbox (null: no CoE; the SII then announces none).</summary>
    public ObjectDictionary? Dictionary { get; set; }

    /// <summary>Output bytes SM2 must be sized to for SAFE-OP (a drive sets it from its PDO mapping).</summary>
    public int OutputBytes { get; set; }
    /// <summary>Input bytes SM3 must be sized to for SAFE-OP.</summary>
    public int InputBytes { get; set; }
    public ushort StationAddress => BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0010));
    public AlState State => (AlState)(_memory[0x0130] & 0x0F);
    public bool ErrorFlag => (_memory[0x0130] & 0x10) != 0;
    public ushort AlStatusCode => BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0134));

    /// <summary>Physical memory (for the drive behind the ESC: its process data at the SM2/SM3 addresses).</summary>
    public Span<byte> Memory => _memory;

    /// <summary>Sets the DL status (0x0110) of a slave in a line: PDI operational, port 0 linked with communication,
    /// port 1 the same unless this is the last slave (then its loop is closed) — what masters read to count ports.</summary>
    public void SetLinePosition(bool last)
    {
        _lastInLine = last;
        ushort status = (ushort)(0x0001 | 0x0010 | 0x0200 | (last ? 0x0400 : 0x0020 | 0x0800));
        BinaryPrimitives.WriteUInt16LittleEndian(_memory.AsSpan(0x0110), status);
    }

    /// <summary>Forces an error state (an injected fault: the slave drops to SAFE-OP+ERROR with a code).</summary>
    public void Fail(AlState state, ushort code) => SetAlStatus(state, code, error: true);

    /// <summary>Processes one datagram as it passes this slave: reads and writes its memory, updates the working
    /// counter and, for auto-increment and broadcast commands, the ADP in the frame.</summary>
    public void Process(Span<byte> payload, in EcDatagram d)
    {
        Span<byte> data = payload.Slice(d.DataOffset, d.Length);
        int wkc = 0;
        switch (d.Command)
        {
            case EcCommand.Aprd or EcCommand.Apwr or EcCommand.Aprw:
                if (d.Adp == 0) wkc = Physical(d.Command - EcCommand.Aprd, d.Ado, data);
                IncrementAdp(payload, d);
                break;
            case EcCommand.Fprd or EcCommand.Fpwr or EcCommand.Fprw:
                if (d.Adp == StationAddress) wkc = Physical(d.Command - EcCommand.Fprd, d.Ado, data);
                break;
            case EcCommand.Brd:
                for (int i = 0; i < data.Length; i++) data[i] |= Read(d.Ado + i);
                wkc = 1;
                IncrementAdp(payload, d);
                break;
            case EcCommand.Bwr:
                Write(d.Ado, data);
                wkc = 1;
                IncrementAdp(payload, d);
                break;
            case EcCommand.Lrd or EcCommand.Lwr or EcCommand.Lrw:
                wkc = Logical(d.Command, d.LogicalAddress, data);
                break;
        }
        if (wkc == 0) return;
        int at = d.DataOffset + d.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[at..], (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]) + wkc));
    }

    // kind 0 read, 1 write, 2 read-write. Returns the working-counter increment.
    private int Physical(int kind, int address, Span<byte> data)
    {
        if (kind == 0)
        {
            // SM1 in mailbox mode: a read of its buffer while it is empty is not acknowledged (data and working
            // counter stay as they came); reading its last byte empties it.
            bool emptiesMailbox = false;
            if (SmEnabled(1))
            {
                var (start, length) = SmArea(1);
                if (address < start + length && address + data.Length > start && !MailboxInFull) return 0;
                emptiesMailbox = address <= start + length - 1 && address + data.Length > start + length - 1;
            }
            for (int i = 0; i < data.Length; i++) data[i] = Read(address + i);
            if (emptiesMailbox) MailboxRead();
            return 1;
        }
        if (kind == 1)
        {
            Write(address, data);
            return 1;
        }
        Span<byte> old = stackalloc byte[Math.Min(data.Length, 2048)];
        for (int i = 0; i < old.Length; i++) old[i] = Read(address + i);
        Write(address, data);
        old.CopyTo(data);
        return 3;
    }

    // The working counter counts this slave once per datagram, however many of its FMMUs the datagram touches
    // (ETG.1000.4 §5.4.3): +1 if it read anything, +1 for LWR or +2 for LRW if it wrote anything.
    private int Logical(EcCommand command, uint logical, Span<byte> data)
    {
        bool read = false, written = false;
        for (int f = 0; f < FmmuCount; f++)
        {
            Span<byte> fmmu = _memory.AsSpan(0x0600 + 16 * f, 16);
            if (fmmu[12] == 0) continue; // not activated
            uint start = BinaryPrimitives.ReadUInt32LittleEndian(fmmu);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(fmmu[4..]);
            int physical = BinaryPrimitives.ReadUInt16LittleEndian(fmmu[8..]);
            byte type = fmmu[11]; // 1 read (slave → master), 2 write
            long from = Math.Max(start, logical), to = Math.Min(start + length, logical + (uint)data.Length);
            if (from >= to) continue;
            int n = (int)(to - from), inData = (int)(from - logical), inPhysical = physical + (int)(from - start);
            if (type == 1 && command is EcCommand.Lrd or EcCommand.Lrw)
            {
                for (int i = 0; i < n; i++) data[inData + i] = Read(inPhysical + i);
                read = true;
            }
            else if (type == 2 && command is EcCommand.Lwr or EcCommand.Lrw && State == AlState.Op)
            {
                // Outputs are taken only in OP (in SAFE-OP they are held safe), so a slave that left OP shows as a
                // working counter short by 2.
                Write(inPhysical, data.Slice(inData, n));
                written = true;
                ProcessDataWritten = true;
            }
        }
        return (read ? 1 : 0) + (written ? (command == EcCommand.Lrw ? 2 : 1) : 0);
    }

    /// <summary>Set when the master's outputs arrived through an FMMU since the flag was last cleared (the SM watchdog).</summary>
    public bool ProcessDataWritten { get; set; }

    private byte Read(int address) => (uint)address < (uint)_memory.Length ? _memory[address] : (byte)0;

    private void Write(int address, ReadOnlySpan<byte> data)
    {
        byte repeatRequest = (byte)(_memory[0x080E] & 0x02);
        for (int i = 0; i < data.Length; i++)
        {
            int a = address + i;
            if ((uint)a >= (uint)_memory.Length) return;
            // Read-only from EtherCAT: identity and features, DL status, AL status, each SyncManager's status and
            // PDI control bytes (the slave's side writes those).
            if (a is >= 0x0000 and < 0x0010 || a is 0x0110 or 0x0111 || a is >= 0x0130 and < 0x0140) continue;
            if (a is >= 0x0800 and < 0x0800 + 8 * SmCount && (a & 7) is 5 or 7) continue;
            _memory[a] = data[i];
        }
        if (address <= 0x0120 && address + data.Length > 0x0120) AlControl(_memory[0x0120]);
        if ((_memory[0x080E] & 0x02) != repeatRequest) MailboxRepeatRequested();
        if (address <= 0x0502 && address + data.Length > 0x0503) SiiCommand();
        // A write that fills SM0's buffer to its last byte hands the mailbox to the slave (ESC behaviour).
        if (SmEnabled(0))
        {
            int start = BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0800)), length = BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0802));
            if (address <= start + length - 1 && address + data.Length > start + length - 1 && address >= start) Mailbox(start, length);
        }
    }

    private void AlControl(byte control)
    {
        var requested = (AlState)(control & 0x0F);
        bool acknowledge = (control & 0x10) != 0;
        if (ErrorFlag && !acknowledge) return; // an error stays until acknowledged
        var current = State;
        if (requested == current) { SetAlStatus(current, 0); return; }
        if (requested is not (AlState.Init or AlState.PreOp or AlState.SafeOp or AlState.Op))
        {
            SetAlStatus(current, 0x0012, error: true);
            return;
        }
        if (requested < current) { SetAlStatus(requested, 0); return; } // any step down is allowed
        if (Up(current) != requested) { SetAlStatus(current, 0x0011, error: true); return; }
        ushort refuse = requested switch
        {
            AlState.PreOp => SmEnabled(0) && SmEnabled(1) ? (ushort)0 : (ushort)0x0016,
            AlState.SafeOp => !SmSized(2, OutputBytes) ? (ushort)0x001D : !SmSized(3, InputBytes) ? (ushort)0x001E : (ushort)0,
            _ => 0,
        };
        if (refuse != 0) SetAlStatus(current, refuse, error: true);
        else SetAlStatus(requested, 0);
    }

    private static AlState Up(AlState s) => s switch { AlState.Init => AlState.PreOp, AlState.PreOp => AlState.SafeOp, AlState.SafeOp => AlState.Op, _ => AlState.None };

    private bool SmEnabled(int sm) => (_memory[0x0800 + 8 * sm + 6] & 1) != 0 && BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0800 + 8 * sm + 2)) > 0;

    private bool SmSized(int sm, int bytes) => bytes == 0 || (SmEnabled(sm) && BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0800 + 8 * sm + 2)) == bytes);

    private void SetAlStatus(AlState state, ushort code, bool error = false)
    {
        // Back in INIT the mailbox starts afresh: nothing queued, no previous request counter (ETG.1000.4: the
        // SyncManagers are disabled there).
        if (state == AlState.Init) ResetMailbox();
        _memory[0x0130] = (byte)((byte)state | (error ? 0x10 : 0));
        _memory[0x0131] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(_memory.AsSpan(0x0134), code);
    }

    // SII interface: a read command (0x0100 in 0x0502) with a word address in 0x0504 puts 4 bytes (2 words) in 0x0508.
    private void SiiCommand()
    {
        ushort command = BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0502));
        if ((command & 0x0100) == 0) return;
        int word = BinaryPrimitives.ReadUInt16LittleEndian(_memory.AsSpan(0x0504));
        for (int i = 0; i < 2; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(_memory.AsSpan(0x0508 + 2 * i), word + i < _sii.Length ? _sii[word + i] : (ushort)0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(_memory.AsSpan(0x0502), (ushort)(command & ~0x8100)); // done, not busy
    }

    /// <summary>The mailbox SyncManagers at 0x1000/0x1080 (128 bytes each) and the process-data ones at 0x1100/0x1180,
    /// their lengths left to the master (from the PDO mapping), as the SyncManager category gives them.</summary>
    public static IReadOnlyList<EcSii.SyncManager> StandardSyncManagers { get; } =
        [new(0x1000, 128, 0x26, 1, 1), new(0x1080, 128, 0x22, 1, 2), new(0x1100, 0, 0x64, 1, 3), new(0x1180, 0, 0x20, 1, 4)];

    // A plain slave's SII: identity, the standard mailbox (CoE announced when a dictionary will be given), the name
    // as string 1 with a general category pointing at it, FMMUs 0/1/2 for outputs, inputs and mailbox status, and the
    // SyncManagers. Masters take the process-data SMs' addresses from here and their lengths from the PDO mapping.
    private static EcSii DefaultSii(uint vendor, uint product, uint revision, uint serial, string name, bool coe) => new()
    {
        Vendor = vendor, Product = product, Revision = revision, Serial = serial,
        MailboxOut = (0x1000, 128), MailboxIn = (0x1080, 128), MailboxProtocols = coe ? (ushort)0x0004 : (ushort)0,
        Strings = [name],
        General = new EcSii.GeneralCategory(0, 0, 0, 1, coe ? (byte)0x0F : (byte)0, 0, 0, 0, 0, 0, 0, 0, 0x0011),
        Fmmus = [1, 2, 3],
        SyncManagers = StandardSyncManagers,
    };

    private static void IncrementAdp(Span<byte> payload, in EcDatagram d)
    {
        int at = d.DataOffset - 8; // ADP sits 8 bytes before the data
        BinaryPrimitives.WriteUInt16LittleEndian(payload[at..], (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]) + 1));
    }
}
