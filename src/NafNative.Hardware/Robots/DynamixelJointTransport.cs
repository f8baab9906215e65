using System.Buffers.Binary;
using NafNative.Hardware.Dynamixel;
using CT = NafNative.Hardware.Dynamixel.ControlTable;

namespace NafNative.Hardware.Robots;

/// <summary>A robot's joints on one Dynamixel Protocol 2.0 bus: one SYNC READ of Present Velocity + Present Position
/// and one SYNC WRITE of Goal Velocity per cycle, allocation-free.</summary>
public sealed class DynamixelJointTransport : IJointTransport
{
    private readonly RobotDescription _robot;
    private readonly Func<ISerialLink> _open;
    private readonly byte[] _ids;
    private readonly byte[] _readBuffer, _readErrors, _writeBuffer;
    private readonly int[] _velocityLimitUnits;
    private DynamixelBus? _bus;
    private readonly byte[] _watchdogValues;
    private int _readsSinceWatchdogCheck;

    /// <summary>Every this many reads, the servos' Bus Watchdog registers are read too: a tripped one (the link was
    /// quiet for longer than its period, e.g. a stalled control loop) refuses every goal from then on, so the arm
    /// would silently stop following; the read reports it instead.</summary>
    public const int WatchdogCheckEvery = 10;

    /// <param name="robot">The robot file (joints, port, baud, latency, retries).</param>
    /// <param name="openLink">Opens the link; by default a <see cref="SerialPortLink"/> on the file's port.</param>
    public DynamixelJointTransport(RobotDescription robot, Func<ISerialLink>? openLink = null)
    {
        ArgumentNullException.ThrowIfNull(robot);
        if (robot.Transport != "dynamixel") throw new ArgumentException($"robot {robot.Name}: transport is {robot.Transport}, not dynamixel.", nameof(robot));
        _robot = robot;
        _open = openLink ?? (() => SerialLinks.Open(robot.Port, robot.Baud, robot.SerialDriver));
        int n = robot.JointCount;
        _ids = robot.Joints.Select(j => j.Id).ToArray();
        _readBuffer = new byte[n * CT.CycleReadLength];
        _readErrors = new byte[n];
        _writeBuffer = new byte[n * 4];
        _watchdogValues = new byte[n];
        _velocityLimitUnits = robot.Joints
            .Select(j => Math.Min(j.Model!.MaxVelocityLimit, (int)Math.Ceiling(j.MaxVelocity / ServoModel.RadiansPerSecondPerVelocityUnit)))
            .ToArray();
    }

    public int JointCount => _ids.Length;
    public string Description => $"dynamixel {_robot.Port} at {_robot.Baud} baud";
    public string LastFault { get; private set; } = "";
    public DynamixelBus Bus => _bus ?? throw new InvalidOperationException("DynamixelJointTransport: call Connect first.");

    public void Connect()
    {
        _bus ??= new DynamixelBus(_open(), new DynamixelBusOptions { Latency = _robot.BusLatency, Retries = _robot.BusRetries });
        var problems = new List<string>();
        foreach (var joint in _robot.Joints)
        {
            try
            {
                var ping = _bus.Ping(joint.Id);
                if (ping.ModelNumber != joint.Model!.Number)
                    problems.Add($"{joint.Name} (ID {joint.Id}): model {ping.Model?.Name ?? "unknown"} ({ping.ModelNumber}), the file says {joint.Model.Name} ({joint.Model.Number})");
            }
            catch (DynamixelException e)
            {
                problems.Add($"{joint.Name} (ID {joint.Id}): {e.Message}");
            }
        }
        if (problems.Count > 0)
            throw new IOException($"robot {_robot.Name} on {Description}: {problems.Count} of {_ids.Length} joints are not as the robot file says:\n  " +
                string.Join("\n  ", problems) + "\nRun `naf hw scan --port " + _robot.Port + "` to see what is on the bus.");
    }

    private TimeSpan _driveWatchdog;

    public void Enable(TimeSpan driveWatchdog)
    {
        var bus = Bus;
        _driveWatchdog = TimeSpan.FromMilliseconds(20 * Math.Clamp((int)Math.Ceiling(driveWatchdog.TotalMilliseconds / 20), 1, 127));
        byte watchdogUnits = (byte)Math.Clamp((int)Math.Ceiling(driveWatchdog.TotalMilliseconds / 20), 1, 127);
        for (int i = 0; i < _ids.Length; i++)
        {
            byte id = _ids[i];
            bus.Write1(id, CT.TorqueEnable, 0);
            bus.Write1(id, CT.BusWatchdog, 0); // clears a tripped watchdog
            bus.Write1(id, CT.OperatingMode, CT.ModeVelocity);
            bus.Write1(id, CT.DriveMode, 0);   // direction is the robot file's business, not the servo's
            bus.Write1(id, CT.ReturnDelayTime, 0);
            bus.Write4(id, CT.VelocityLimit, _velocityLimitUnits[i]);
            bus.Write4(id, CT.GoalVelocity, 0);
            bus.Write1(id, CT.TorqueEnable, 1);
        }
        // Armed last and back to back: a servo whose watchdog ran while the others were configured could trip before
        // the control loop's first command.
        foreach (byte id in _ids) bus.Write1(id, CT.BusWatchdog, watchdogUnits);
    }

    public JointReadOutcome Read(Span<double> positions, Span<double> velocities)
    {
        var bus = Bus;
        try
        {
            if (_robot.FastSyncRead) bus.FastSyncRead(CT.CycleReadAddress, CT.CycleReadLength, _ids, _readBuffer, _readErrors);
            else bus.SyncRead(CT.CycleReadAddress, CT.CycleReadLength, _ids, _readBuffer, _readErrors);
        }
        catch (DynamixelException e)
        {
            LastFault = e.Message;
            return JointReadOutcome.NoReply;
        }
        if (++_readsSinceWatchdogCheck >= WatchdogCheckEvery)
        {
            _readsSinceWatchdogCheck = 0;
            try
            {
                bus.SyncRead(CT.BusWatchdog, 1, _ids, _watchdogValues, _readErrors);
            }
            catch (DynamixelException e)
            {
                LastFault = e.Message;
                return JointReadOutcome.NoReply;
            }
            for (int i = 0; i < _ids.Length; i++)
                if (_watchdogValues[i] == 0xFF)
                {
                    LastFault = $"{_robot.Joints[i].Name} (ID {_ids[i]}): the servo's own Bus Watchdog tripped (no command for over " +
                        $"{_driveWatchdog.TotalMilliseconds:F0} ms: the control loop stalled) and it now refuses goals";
                    return JointReadOutcome.HardwareError;
                }
        }
        for (int i = 0; i < _ids.Length; i++)
        {
            if ((_readErrors[i] & DynamixelErrorText.AlertBit) != 0) return ReadHardwareError(i);
            var joint = _robot.Joints[i];
            int velocityUnits = BinaryPrimitives.ReadInt32LittleEndian(_readBuffer.AsSpan(i * 8));
            int ticks = BinaryPrimitives.ReadInt32LittleEndian(_readBuffer.AsSpan(i * 8 + 4));
            positions[i] = joint.Direction * (ServoModel.TicksToRadians(ticks) - joint.ZeroOffset);
            velocities[i] = joint.Direction * ServoModel.VelocityUnitsToRadiansPerSecond(velocityUnits);
        }
        return JointReadOutcome.Ok;
    }

    private JointReadOutcome ReadHardwareError(int index)
    {
        byte id = _ids[index];
        try
        {
            byte status = Bus.Read1(id, CT.HardwareErrorStatus);
            LastFault = $"{_robot.Joints[index].Name}: {new DynamixelHardwareErrorException(id, status).Message}";
        }
        catch (DynamixelException e)
        {
            LastFault = $"{_robot.Joints[index].Name} (ID {id}) reports a hardware error, and reading which failed: {e.Message}";
        }
        return JointReadOutcome.HardwareError;
    }

    public bool WriteVelocities(ReadOnlySpan<double> velocities)
    {
        for (int i = 0; i < _ids.Length; i++)
        {
            // Rounded toward zero, and never past the register limit the servo enforces, so it cannot refuse it.
            int units = ServoModel.RadiansPerSecondToVelocityUnits(_robot.Joints[i].Direction * velocities[i]);
            units = Math.Clamp(units, -_velocityLimitUnits[i], _velocityLimitUnits[i]);
            BinaryPrimitives.WriteInt32LittleEndian(_writeBuffer.AsSpan(i * 4), units);
        }
        try
        {
            Bus.SyncWrite(CT.GoalVelocity, 4, _ids, _writeBuffer);
            return true;
        }
        catch (IOException e)
        {
            LastFault = $"sync write of goal velocities failed: {e.Message}";
            return false;
        }
    }

    public void DisableTorque()
    {
        foreach (byte id in _ids)
        {
            try
            {
                Bus.Write1(id, CT.TorqueEnable, 0);
            }
            catch (DynamixelException e)
            {
                LastFault = $"torque off: {e.Message}";
            }
        }
    }

    public void Dispose() => _bus?.Dispose();
}
