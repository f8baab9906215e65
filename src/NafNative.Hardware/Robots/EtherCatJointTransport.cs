using System.Buffers.Binary;
using System.Net;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Robots;

/// <summary>A robot's joints as CiA 402 drives on one EtherCAT segment: bring-up to OP, the drive state machine to
/// Operation enabled in cyclic synchronous velocity mode, and one LRW per read and per write.</summary>
/// <remarks>
/// <para>Process data per drive, the standard layout (shared/HARDWARE.md §2.6): outputs controlword u16, target
/// position i32, target velocity i32, mode i8; inputs statusword u16, position actual i32, velocity actual i32, mode
/// display i8. The PDO layout is fixed today (no CoE remapping yet: the drives must already use it).</para>
/// <para>Read and write each exchange the whole image (the write's LRW carries the new targets at once, as the
/// Dynamixel SYNC WRITE does); a working counter below 3 per drive, or a drive in Fault, is reported.</para>
/// </remarks>
public sealed class EtherCatJointTransport : IJointTransport
{
    private const int Pd = 11;
    private readonly RobotDescription _robot;
    private readonly Func<IEcLink> _open;
    private EcMaster? _master;
    private EcProcessImage? _image;
    private readonly int[] _slaveOf; // joint → slave position
    private readonly ushort[] _controlword;
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
    public string Description => $"ethercat {_robot.Port}";
    public string LastFault { get; private set; } = "";
    /// <summary>Frames the master lost (each retried or reported).</summary>
    public long LostFrames => _master?.LostFrames ?? 0;

    public void Connect()
    {
        _master ??= new EcMaster(_open(), _robot.BusLatency, _robot.BusRetries);
        var slaves = _master.Discover();
        int needed = _slaveOf.Max() + 1;
        if (slaves.Count < needed)
            throw new IOException($"robot {_robot.Name} on {Description}: {slaves.Count} EtherCAT slaves answered but the robot file names slave {needed - 1}; " +
                $"found: {string.Join(", ", slaves.Select(s => $"{s.Position}: {s.Name} (0x{s.Vendor:X8}/0x{s.Product:X8})"))}.");
        _slaves = slaves.Count;
        _image = _master.ConfigureProcessData(_slaves, Pd, Pd);
        for (int s = 0; s < _slaves; s++) Set(s, 0, 0);
        _image.Exchange(); // valid outputs before OP
        for (int s = 0; s < _slaves; s++) _master.RequestState((ushort)(EcMaster.FirstStation + s), AlState.Op);
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
                var state = Cia402.Decode(EcProcessImage.ReadU16(image.Inputs(_slaveOf[j]), 0));
                all &= state == Cia402State.OperationEnabled;
                _controlword[j] = Cia402.StepTowardEnabled(state, _controlword[j]);
                Set(_slaveOf[j], _controlword[j], 0);
            }
            if (all) return;
            Thread.Sleep(2);
        }
        throw new IOException($"robot {_robot.Name}: the drives did not reach Operation enabled within 50 cycles: " +
            string.Join(", ", Enumerable.Range(0, JointCount).Select(j => $"{_robot.Joints[j].Name} {Cia402.Decode(EcProcessImage.ReadU16(image.Inputs(_slaveOf[j]), 0))}")));
    }

    public JointReadOutcome Read(Span<double> positions, Span<double> velocities)
    {
        var image = _image!;
        if (!ExchangeChecked(image)) return JointReadOutcome.NoReply;
        for (int j = 0; j < JointCount; j++)
        {
            var inputs = image.Inputs(_slaveOf[j]);
            ushort status = EcProcessImage.ReadU16(inputs, 0);
            var state = Cia402.Decode(status);
            if (state != Cia402State.OperationEnabled)
            {
                LastFault = $"{_robot.Joints[j].Name} (slave {_slaveOf[j]}): drive left Operation enabled: {state} (statusword 0x{status:X4})";
                return JointReadOutcome.HardwareError;
            }
            var joint = _robot.Joints[j];
            positions[j] = joint.Direction * (EcProcessImage.ReadI32(inputs, 2) / joint.CountsPerRadian - joint.ZeroOffset);
            velocities[j] = joint.Direction * EcProcessImage.ReadI32(inputs, 6) / joint.CountsPerRadian;
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
        return ExchangeChecked(_image!);
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

    private void Set(int slave, ushort control, int velocity)
    {
        var o = _image!.Outputs(slave);
        BinaryPrimitives.WriteUInt16LittleEndian(o, control);
        BinaryPrimitives.WriteInt32LittleEndian(o[2..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(o[6..], velocity);
        o[10] = (byte)Cia402.CyclicSynchronousVelocity;
    }
}
