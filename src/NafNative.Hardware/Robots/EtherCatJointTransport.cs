using System.Buffers.Binary;
using System.Net;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Robots;

/// <summary>A robot's joints as CiA 402 drives on one EtherCAT segment: bring-up to OP (with the robot file's PDO
/// layout written in PRE-OP when it gives one), the drive state machine to Operation enabled in cyclic synchronous
/// velocity mode, and one LRW per read and per write.</summary>
/// <remarks>
/// <para>Each drive's process data follow the PDO mapping read back from it after any remapping (standard layout:
/// shared/HARDWARE.md §2.6): the offsets of controlword, target velocity, statusword, position and velocity actual
/// (and target position and modes of operation where mapped) are computed from it. Modes of operation that is not
/// mapped is written once by SDO in PRE-OP.</para>
/// <para>Read and write each exchange the whole image (the write's LRW carries the new targets at once, as the
/// Dynamixel SYNC WRITE does); with <c>lrw_per_cycle</c> 1 the write only stages them and the read's LRW carries
/// them. A short working counter, or a drive in Fault, is reported.</para>
/// <para>After a safety stop, <see cref="TryRecover"/> brings slaves that dropped out of OP back (see
/// EtherCatJointTransport.Recovery.cs).</para>
/// </remarks>
public sealed partial class EtherCatJointTransport : IJointTransport
{
    private readonly RobotDescription _robot;
    private readonly Func<IEcLink> _open;
    private EcMaster? _master;
    private EcProcessImage? _image;
    private readonly int[] _slaveOf; // joint → slave position
    private readonly ushort[] _controlword;
    // Per slave: offsets in its outputs / inputs (−1: not mapped), from its PDO mapping.
    private int[] _controlAt = [], _targetVelocityAt = [], _targetPositionAt = [], _modeAt = [];
    private int[] _statusAt = [], _positionAt = [], _velocityAt = [];
    private int _slaves;

    public EtherCatJointTransport(RobotDescription robot, Func<IEcLink>? openLink = null)
    {
        ArgumentNullException.ThrowIfNull(robot);
        if (robot.Transport != "ethercat") throw new ArgumentException($"robot {robot.Name}: transport is {robot.Transport}, not ethercat.", nameof(robot));
        _robot = robot;
        _open = openLink ?? (() => robot.EtherCatInterface is string name ? new RawEthernetLink(name) : new UdpEcLink(IPEndPoint.Parse(robot.EtherCatUdp!)));
        _slaveOf = robot.Joints.Select(j => (int)j.Id).ToArray();
        _controlword = new ushort[robot.JointCount];
    }

    public int JointCount => _slaveOf.Length;
    /// <summary>With <c>lrw_per_cycle</c> 1 the write stages the outputs and the next read's LRW carries them.</summary>
    public bool WritesAtNextRead => _robot.EtherCatLrwPerCycle == 1;
    public string Description => $"ethercat {_robot.Port}";
    public string LastFault { get; private set; } = "";
    /// <summary>Frames the master lost (each retried or reported).</summary>
    public long LostFrames => _master?.LostFrames ?? 0;
    /// <summary>The master (after <see cref="Connect"/>), for inspection: identities, AL states, SDOs.</summary>
    public EcMaster? Master => _master;
    /// <summary>What bring-up found, by slave position.</summary>
    public IReadOnlyList<EcSlaveInfo> Slaves { get; private set; } = [];
    /// <summary>Each slave's RxPDO (outputs) and TxPDO (inputs) mapping as read back from it at bring-up.</summary>
    public IReadOnlyList<(EcPdoMapping Outputs, EcPdoMapping Inputs)> Mappings { get; private set; } = [];
    /// <summary>The process image (after <see cref="Connect"/>).</summary>
    public EcProcessImage? Image => _image;

    public void Connect()
    {
        _master ??= new EcMaster(_open(), _robot.BusLatency, _robot.BusRetries);
        var slaves = _master.Discover();
        int needed = _slaveOf.Max() + 1;
        if (slaves.Count < needed)
            throw new IOException($"robot {_robot.Name} on {Description}: {slaves.Count} EtherCAT slaves answered but the robot file names slave {needed - 1}; " +
                $"found: {string.Join(", ", slaves.Select(s => $"{s.Position}: {s.Name} (0x{s.Vendor:X8}/0x{s.Product:X8})"))}.");
        Slaves = slaves;
        _slaves = slaves.Count;
        _master.ToPreOp(_slaves);
        var mappings = new (EcPdoMapping, EcPdoMapping)[_slaves];
        for (int s = 0; s < _slaves; s++) mappings[s] = MapSlave(s);
        Mappings = mappings;
        Offsets(mappings);
        _image = _master.ConfigureProcessData(mappings.Select(m => (m.Item1.Bytes, m.Item2.Bytes)).ToArray());
        for (int s = 0; s < _slaves; s++) Set(s, 0, 0);
        _image.Exchange(); // valid outputs before OP
        for (int s = 0; s < _slaves; s++) _master.RequestState((ushort)(EcMaster.FirstStation + s), AlState.Op);
    }

    // In PRE-OP: writes the robot file's layout into a joint's drive (when the file gives one), reads back what the
    // drive will use, and sets modes of operation by SDO where the outputs do not carry it.
    private (EcPdoMapping Outputs, EcPdoMapping Inputs) MapSlave(int s)
    {
        var master = _master!;
        ushort station = (ushort)(EcMaster.FirstStation + s);
        bool joint = Array.IndexOf(_slaveOf, s) >= 0;
        try
        {
            if (joint && _robot.PdoOutputs is { } rx) master.WritePdoMapping(station, EcMaster.RxPdoAssign, rx);
            if (joint && _robot.PdoInputs is { } tx) master.WritePdoMapping(station, EcMaster.TxPdoAssign, tx);
            var outputs = master.ReadPdoMapping(station, EcMaster.RxPdoAssign);
            var inputs = master.ReadPdoMapping(station, EcMaster.TxPdoAssign);
            if (joint && outputs.OffsetOf(Cia402.ModesOfOperation) < 0)
                master.SdoDownload(station, Cia402.ModesOfOperation, 0, [unchecked((byte)Cia402.CyclicSynchronousVelocity)]);
            return (outputs, inputs);
        }
        catch (EtherCatException e)
        {
            throw new IOException($"robot {_robot.Name}: PDO mapping of slave {s} (0x{station:X4}): {e.Message}", e);
        }
    }

    // Where each joint's objects sit in its slave's process data; a joint whose mapping lacks one it needs is refused.
    private void Offsets((EcPdoMapping Outputs, EcPdoMapping Inputs)[] mappings)
    {
        (_controlAt, _targetVelocityAt, _targetPositionAt, _modeAt) = (new int[_slaves], new int[_slaves], new int[_slaves], new int[_slaves]);
        (_statusAt, _positionAt, _velocityAt) = (new int[_slaves], new int[_slaves], new int[_slaves]);
        var missing = new List<string>();
        for (int s = 0; s < _slaves; s++)
        {
            var (o, i) = mappings[s];
            (_controlAt[s], _targetVelocityAt[s], _targetPositionAt[s], _modeAt[s]) = (o.OffsetOf(Cia402.ControlwordIndex), o.OffsetOf(Cia402.TargetVelocity),
                o.OffsetOf(Cia402.TargetPosition), o.OffsetOf(Cia402.ModesOfOperation));
            (_statusAt[s], _positionAt[s], _velocityAt[s]) = (i.OffsetOf(Cia402.StatuswordIndex), i.OffsetOf(Cia402.PositionActual), i.OffsetOf(Cia402.VelocityActual));
            int j = Array.IndexOf(_slaveOf, s);
            if (j < 0) continue;
            void Need(int at, ushort index, string name, string direction)
            {
                if (at < 0) missing.Add($"{_robot.Joints[j].Name} (slave {s}): {name} 0x{index:X4} is not in its {direction} mapping ({(direction == "RxPDO" ? o : i)})");
            }
            Need(_controlAt[s], Cia402.ControlwordIndex, "controlword", "RxPDO");
            Need(_targetVelocityAt[s], Cia402.TargetVelocity, "target velocity", "RxPDO");
            Need(_statusAt[s], Cia402.StatuswordIndex, "statusword", "TxPDO");
            Need(_positionAt[s], Cia402.PositionActual, "position actual", "TxPDO");
            Need(_velocityAt[s], Cia402.VelocityActual, "velocity actual", "TxPDO");
        }
        if (missing.Count > 0)
            throw new IOException($"robot {_robot.Name}: the drives' PDO mappings lack what cyclic synchronous velocity needs: {string.Join("; ", missing)}. " +
                "Map them in transport.pdo of the robot file.");
    }

    public void Enable(TimeSpan driveWatchdog)
    {
        var image = _image ?? throw new InvalidOperationException("EtherCatJointTransport: call Connect first.");
        for (int cycle = 0; cycle < 50; cycle++)
        {
            if (!image.Exchange()) throw new IOException($"robot {_robot.Name}: working counter {image.ExpectedWorkingCounter} expected while enabling the drives; a slave is missing.");
            bool all = true;
            for (int j = 0; j < JointCount; j++)
            {
                var state = Cia402.Decode(Statusword(j));
                all &= state == Cia402State.OperationEnabled;
                _controlword[j] = Cia402.StepTowardEnabled(state, _controlword[j]);
                Set(_slaveOf[j], _controlword[j], 0);
            }
            if (all) return;
            Thread.Sleep(2);
        }
        throw new IOException($"robot {_robot.Name}: the drives did not reach Operation enabled within 50 cycles: " +
            string.Join(", ", Enumerable.Range(0, JointCount).Select(j => $"{_robot.Joints[j].Name} {Cia402.Decode(Statusword(j))}")));
    }

    public JointReadOutcome Read(Span<double> positions, Span<double> velocities)
    {
        var image = _image!;
        if (!ExchangeChecked(image)) return JointReadOutcome.NoReply;
        for (int j = 0; j < JointCount; j++)
        {
            int s = _slaveOf[j];
            var inputs = image.Inputs(s);
            ushort status = EcProcessImage.ReadU16(inputs, _statusAt[s]);
            var state = Cia402.Decode(status);
            if (state != Cia402State.OperationEnabled)
            {
                LastFault = $"{_robot.Joints[j].Name} (slave {s}): drive left Operation enabled: {state} (statusword 0x{status:X4})";
                return JointReadOutcome.HardwareError;
            }
            var joint = _robot.Joints[j];
            positions[j] = joint.Direction * (EcProcessImage.ReadI32(inputs, _positionAt[s]) / joint.CountsPerRadian - joint.ZeroOffset);
            velocities[j] = joint.Direction * EcProcessImage.ReadI32(inputs, _velocityAt[s]) / joint.CountsPerRadian;
        }
        return JointReadOutcome.Ok;
    }

    public bool WriteVelocities(ReadOnlySpan<double> velocities)
    {
        for (int j = 0; j < JointCount; j++)
        {
            var joint = _robot.Joints[j];
            double counts = Math.Clamp(joint.Direction * velocities[j] * joint.CountsPerRadian, int.MinValue, int.MaxValue);
            Set(_slaveOf[j], Cia402.EnableOperation, (int)Math.Truncate(counts));
        }
        return WritesAtNextRead || ExchangeChecked(_image!);
    }

    public void DisableTorque()
    {
        if (_image is null) return;
        for (int j = 0; j < JointCount; j++) Set(_slaveOf[j], Cia402.Shutdown, 0); // Operation enabled → Ready to switch on: no torque
        try
        {
            _image.Exchange();
            _image.Exchange();
        }
        catch (EtherCatException e)
        {
            LastFault = $"torque off: {e.Message}";
        }
    }

    public void Dispose() => _master?.Dispose();

    /// <summary>Joint <paramref name="joint"/>'s statusword as of the last exchange.</summary>
    public ushort Statusword(int joint) => EcProcessImage.ReadU16(_image!.Inputs(_slaveOf[joint]), _statusAt[_slaveOf[joint]]);

    /// <summary>Joint <paramref name="joint"/>'s position actual (counts) as of the last exchange.</summary>
    public int PositionCounts(int joint) => EcProcessImage.ReadI32(_image!.Inputs(_slaveOf[joint]), _positionAt[_slaveOf[joint]]);

    private bool ExchangeChecked(EcProcessImage image)
    {
        try
        {
            if (image.Exchange()) return true;
            LastFault = $"process data working counter below {image.ExpectedWorkingCounter}: a slave stopped exchanging (dropped out of OP, or lost)";
            return false;
        }
        catch (EtherCatException e)
        {
            LastFault = e.Message;
            return false;
        }
    }

    // Writes one slave's outputs at the offsets its mapping gives (slaves that no joint names get theirs too, so
    // every mapped controlword is defined).
    private void Set(int slave, ushort control, int velocity)
    {
        var o = _image!.Outputs(slave);
        if (_controlAt[slave] >= 0) BinaryPrimitives.WriteUInt16LittleEndian(o[_controlAt[slave]..], control);
        if (_targetPositionAt[slave] >= 0) BinaryPrimitives.WriteInt32LittleEndian(o[_targetPositionAt[slave]..], 0);
        if (_targetVelocityAt[slave] >= 0) BinaryPrimitives.WriteInt32LittleEndian(o[_targetVelocityAt[slave]..], velocity);
        if (_modeAt[slave] >= 0) o[_modeAt[slave]] = unchecked((byte)Cia402.CyclicSynchronousVelocity);
    }
}
