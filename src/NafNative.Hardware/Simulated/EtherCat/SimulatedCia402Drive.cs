using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Simulated.EtherCat;

/// <summary>A CiA 402 servo drive behind a <see cref="SimulatedEsc"/>: the power state machine, cyclic synchronous
/// velocity mode, and process data in the ESC's SM2 (outputs) and SM3 (inputs) laid out by its PDO mapping.</summary>
/// <remarks>
/// <para>By default (the mapping a master may change in PRE-OP) outputs (SM2, 11 B): controlword u16, target position i32, target velocity i32 (counts/s), mode i8.
/// Inputs (SM3, 11 B): statusword u16, position actual i32 (counts), velocity actual i32 (counts/s), mode display
/// i8 — the layout SOEM's slaveinfo reports for a standard 402 drive (shared/HARDWARE.md §2.6).</para>
/// <para>The shaft follows the target velocity with a first-order lag only in Operation enabled and mode 9; in any
/// other state it is held (brake). An injected fault moves the drive to Fault (statusword bit 3) until a fault reset
/// (rising edge of controlword bit 7).</para>
/// </remarks>
public sealed partial class SimulatedCia402Drive
{
    public const int ProcessDataBytes = 11;
    public const ushort OutputsAddress = 0x1100, InputsAddress = 0x1180;
    private ushort _previousControl, _control;
    private int _targetPosition, _targetVelocity;
    private sbyte _modeCommand;
    private ObjectDictionary _dictionary = null!;
    private double _position, _velocity; // counts, counts/s

    /// <param name="timeConstant">Velocity lag of the drive's own motion model (when no arm dynamics move it).</param>
    /// <param name="countsPerRadian">Encoder counts per radian of the shaft (for the arm dynamics' units).</param>
    /// <param name="serial">SII serial number.</param>
    /// <param name="deviceName">SII device name and CoE 0x1008 (manufacturer device name), up to 255 characters.</param>
    public SimulatedCia402Drive(double timeConstant = 0.02, double countsPerRadian = 1, uint serial = 1, string deviceName = "NafNative CiA402 drive")
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceName);
        if (deviceName.Length > 255) throw new ArgumentException($"simulated drive: device name of {deviceName.Length} characters; the SII strings category holds 255.", nameof(deviceName));
        DeviceName = deviceName;
        Esc = new SimulatedEsc(DriveSii(serial, deviceName), ProcessDataBytes, ProcessDataBytes);
        TimeConstant = timeConstant;
        CountsPerRadian = countsPerRadian;
        Esc.Dictionary = BuildDictionary(serial);
        Esc.PoweredOn += () =>
        {
            // As after power-on: switched off, no mode, the default PDO mapping; the absolute encoder keeps its count.
            (State, Mode, _modeCommand, _control, _previousControl, _targetPosition, _targetVelocity) = (Cia402State.SwitchOnDisabled, 0, 0, 0, 0, 0, 0);
            Esc.Dictionary = BuildDictionary(serial);
            PowerCycles++;
        };
        Update(0);
    }

    /// <summary>How often the drive lost power and came back (an injected <see cref="EcFaultKind.SlaveLost"/>).</summary>
    public int PowerCycles { get; private set; }

    public double CountsPerRadian { get; }
    public string DeviceName { get; }

    // CiA 301 communication objects, the PDO assignment and mapping (writable in PRE-OP; SimulatedCia402Drive.Pdo.cs),
    // and the 402 objects: the process-data ones read live from the drive, modes of operation also writable by SDO
    // (for a mapping without it).
    private ObjectDictionary BuildDictionary(uint serial)
    {
        var d = _dictionary = new ObjectDictionary();
        d.AddU32(0x1000, 0, 0x0002_0192); // device type: CiA 402 servo drive
        d.AddVariable(0x1008, 0, System.Text.Encoding.ASCII.GetBytes(DeviceName), DeviceName.Length); // VISIBLE_STRING
        d.AddU8(0x1018, 0, 4);
        d.AddU32(0x1018, 1, Vendor);
        d.AddU32(0x1018, 2, Product);
        d.AddU32(0x1018, 3, Revision);
        d.AddU32(0x1018, 4, serial);
        // SyncManager communication types: SM0 mailbox out, SM1 mailbox in, SM2 outputs, SM3 inputs.
        d.AddU8(0x1C00, 0, 4);
        for (byte sm = 1; sm <= 4; sm++) d.AddU8(0x1C00, sm, sm);
        AddPdoObjects(d);
        d.AddLive(Cia402.ControlwordIndex, 0, 2, () => Le16(_control));
        d.AddLive(Cia402.TargetPosition, 0, 4, () => Le32(_targetPosition));
        d.AddLive(Cia402.TargetVelocity, 0, 4, () => Le32(_targetVelocity));
        d.AddU8(Cia402.ModesOfOperation, 0, 0, writable: true);
        d.OnWrite(Cia402.ModesOfOperation, 0, v => _modeCommand = (sbyte)v[0]);
        d.AddLive(Cia402.StatuswordIndex, 0, 2, () => Le16(Cia402.Statusword(State)));
        d.AddLive(Cia402.PositionActual, 0, 4, () => Le32((int)Math.Round(_position)));
        d.AddLive(Cia402.VelocityActual, 0, 4, () => Le32((int)Math.Round(_velocity)));
        d.AddLive(Cia402.ModesDisplay, 0, 1, () => [(byte)Mode]);
        d.AddLive(Cia402.ErrorCode, 0, 2, () => Le16(ErrorCode));
        DescribeObjects(d);
        return d;
    }

    private static byte[] Le16(ushort v) => [(byte)v, (byte)(v >> 8)];
    private static byte[] Le32(int v) => [(byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24)];

    /// <summary>0x603F: 0x2310 (continuous over-current) in Fault, else 0.</summary>
    public ushort ErrorCode => State == Cia402State.Fault ? (ushort)0x2310 : (ushort)0;

    /// <summary>The shaft velocity (rad/s) the drive's controller holds now: the target in Operation enabled, CSV, OP.</summary>
    public double CommandedRadiansPerSecond { get; private set; }
    public bool Powered => State == Cia402State.OperationEnabled && Esc.State == AlState.Op;

    /// <summary>Sets the shaft state from outside (arm dynamics), in radians and rad/s; written to the inputs at the next update.</summary>
    public void SetShaft(double radians, double radiansPerSecond)
    {
        _position = radians * CountsPerRadian;
        _velocity = radiansPerSecond * CountsPerRadian;
    }

    public double ShaftRadians => _position / CountsPerRadian;
    public double ShaftRadiansPerSecond => _velocity / CountsPerRadian;

    public SimulatedEsc Esc { get; }
    public double TimeConstant { get; }
    public Cia402State State { get; private set; } = Cia402State.SwitchOnDisabled;
    public sbyte Mode { get; private set; }
    /// <summary>The largest |target velocity| (counts/s) any frame carried while enabled: what a safety test inspects.</summary>
    public long MaxTargetVelocity { get; private set; }
    public double Position => _position;

    /// <summary>An injected drive fault (e.g. over-current): the drive goes to Fault and holds.</summary>
    public void InjectFault() => State = Cia402State.Fault;

    /// <summary>Runs the drive for <paramref name="seconds"/> on the outputs now in the ESC, then writes its inputs.
    /// With <paramref name="moveShaft"/> false the shaft is left to arm dynamics (see <see cref="SetShaft"/>).</summary>
    public void Update(double seconds, bool moveShaft = true)
    {
        // The outputs are read through the mapping in force; an object the master did not map keeps its last
        // value (modes of operation: what an SDO wrote).
        Span<byte> outputs = Esc.Memory.Slice(OutputsAddress, RxMapping.Bytes);
        if (_controlAt >= 0) _control = BinaryPrimitives.ReadUInt16LittleEndian(outputs[_controlAt..]);
        if (_targetPositionAt >= 0) _targetPosition = BinaryPrimitives.ReadInt32LittleEndian(outputs[_targetPositionAt..]);
        if (_targetVelocityAt >= 0) _targetVelocity = BinaryPrimitives.ReadInt32LittleEndian(outputs[_targetVelocityAt..]);
        if (_modeAt >= 0) _modeCommand = (sbyte)outputs[_modeAt];
        ushort control = _control;
        int targetVelocity = _targetVelocity;
        sbyte mode = _modeCommand;
        if (Esc.State == AlState.Op)
        {
            Mode = mode;
            Step(control);
        }
        else if (State == Cia402State.OperationEnabled) State = Cia402State.SwitchOnDisabled; // outputs not valid: the drive drops power
        _previousControl = control;
        double target = State == Cia402State.OperationEnabled && Mode == Cia402.CyclicSynchronousVelocity && Esc.State == AlState.Op ? targetVelocity : 0;
        if (State == Cia402State.OperationEnabled) MaxTargetVelocity = Math.Max(MaxTargetVelocity, Math.Abs((long)targetVelocity));
        CommandedRadiansPerSecond = target / CountsPerRadian;
        if (seconds > 0 && moveShaft)
        {
            double decay = Math.Exp(-seconds / TimeConstant);
            double v0 = _velocity;
            _velocity = target + (v0 - target) * decay;
            _position += target * seconds + (v0 - target) * TimeConstant * (1 - decay);
        }
        PublishInputs();
    }

    /// <summary>Writes statusword, position, velocity and mode into the inputs (SM3) while process data is valid
    /// (SAFE-OP or OP); the arm dynamics call it after moving the shaft.</summary>
    public void PublishInputs()
    {
        if (Esc.State is not (AlState.SafeOp or AlState.Op)) return;
        Span<byte> inputs = Esc.Memory.Slice(InputsAddress, TxMapping.Bytes);
        if (_statusAt >= 0) BinaryPrimitives.WriteUInt16LittleEndian(inputs[_statusAt..], Cia402.Statusword(State));
        if (_positionAt >= 0) BinaryPrimitives.WriteInt32LittleEndian(inputs[_positionAt..], (int)Math.Round(_position));
        if (_velocityAt >= 0) BinaryPrimitives.WriteInt32LittleEndian(inputs[_velocityAt..], (int)Math.Round(_velocity));
        if (_modeDisplayAt >= 0) inputs[_modeDisplayAt] = (byte)Mode;
        if (_errorCodeAt >= 0) BinaryPrimitives.WriteUInt16LittleEndian(inputs[_errorCodeAt..], ErrorCode);
    }

    private void Step(ushort control)
    {
        bool faultReset = (control & Cia402.FaultReset) != 0 && (_previousControl & Cia402.FaultReset) == 0;
        State = State switch
        {
            Cia402State.Fault => faultReset ? Cia402State.SwitchOnDisabled : Cia402State.Fault,
            Cia402State.SwitchOnDisabled => (control & 0x87) == 0x06 ? Cia402State.ReadyToSwitchOn : State,
            Cia402State.ReadyToSwitchOn => (control & 0x8F) == 0x07 ? Cia402State.SwitchedOn : (control & 0x02) == 0 ? Cia402State.SwitchOnDisabled : State,
            Cia402State.SwitchedOn => (control & 0x8F) == 0x0F ? Cia402State.OperationEnabled : (control & 0x87) == 0x06 ? Cia402State.ReadyToSwitchOn : (control & 0x02) == 0 ? Cia402State.SwitchOnDisabled : State,
            Cia402State.OperationEnabled => (control & 0x8F) == 0x07 ? Cia402State.SwitchedOn : (control & 0x87) == 0x06 ? Cia402State.ReadyToSwitchOn
                : (control & 0x02) == 0 ? Cia402State.SwitchOnDisabled : (control & 0x86) == 0x02 ? Cia402State.QuickStopActive : State,
            Cia402State.QuickStopActive => (control & 0x02) == 0 ? Cia402State.SwitchOnDisabled : State,
            _ => State,
        };
    }
}
