using System.Buffers.Binary;
using NafNative.Hardware.Dynamixel;
using CT = NafNative.Hardware.Dynamixel.ControlTable;

namespace NafNative.Hardware.Simulated;

/// <summary>One simulated X-series servo: its control table and the rules the real one enforces on it.</summary>
/// <remarks>
/// <para>Rules (ROBOTIS e-manual, X-series control tables): EEPROM registers (address &lt; 64) are writable only with
/// Torque Enable = 0, else Access Error; read-only registers (model, firmware, hardware error, present values) and
/// undefined addresses give Access Error; out-of-range values give Data Range Error (Operating Mode the model lacks,
/// Torque Enable not 0/1, …); a Goal Velocity beyond Velocity Limit gives Data Limit Error; once the Bus Watchdog
/// has tripped, goal writes give Data Range Error until 0 is written to it. An overload (injected) sets Hardware
/// Error Status bit 5, turns torque off and sets the alert bit of every status packet until REBOOT.</para>
/// <para>A write that fails changes nothing. Used from the chain's thread only.</para>
/// </remarks>
public sealed class SimulatedServo
{
    private readonly byte[] _table = new byte[CT.Size];
    private readonly byte[] _registered = new byte[DynamixelPacket.MaxPacketLength];
    private int _registeredAddress = -1, _registeredLength;
    private readonly byte _initialId;

    public SimulatedServo(byte id, ServoModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (id > DynamixelPacket.MaxId) throw new ArgumentOutOfRangeException(nameof(id), id, $"SimulatedServo: ID must be 0..{DynamixelPacket.MaxId}.");
        Model = model;
        _initialId = id;
        FactoryReset(0xFF);
        _table[CT.Id] = id;
    }

    public ServoModel Model { get; }
    public byte Id => _table[CT.Id];
    public bool TorqueEnabled => _table[CT.TorqueEnable] == 1;
    public byte OperatingMode => _table[CT.OperatingMode];
    public byte StatusReturnLevel => _table[CT.StatusReturnLevel];
    public byte HardwareError => _table[CT.HardwareErrorStatus];
    public TimeSpan ReturnDelay => TimeSpan.FromMicroseconds(2 * _table[CT.ReturnDelayTime]);
    public int GoalVelocity => I32(CT.GoalVelocity);
    public int GoalPosition => I32(CT.GoalPosition);
    public int VelocityLimit => I32(CT.VelocityLimit);
    public bool Reversed => (_table[CT.DriveMode] & 1) != 0;
    /// <summary>Unplugged servos answer nothing and their motors are off.</summary>
    public bool Unplugged { get; set; }
    /// <summary>The largest |Goal Velocity| (units) any received write asked for, accepted or not: what a test of the
    /// master's safety filter inspects.</summary>
    public int MaxRequestedGoalVelocity { get; private set; }
    /// <summary>Goal Velocity writes received (accepted or not).</summary>
    public long GoalVelocityWrites { get; private set; }
    /// <summary>Bus Watchdog value in 20 ms units; 0 off; 0xFF (−1) tripped.</summary>
    public byte BusWatchdog => _table[CT.BusWatchdog];

    /// <summary>The status packet's error byte for a reply with error number <paramref name="error"/>.</summary>
    public byte ErrorByte(DynamixelStatusError error) => (byte)((byte)error | (HardwareError != 0 ? DynamixelErrorText.AlertBit : 0));

    /// <summary>Reads a register block for a READ / SYNC READ / BULK READ.</summary>
    public DynamixelStatusError Read(int address, int length, Span<byte> data)
    {
        if (address < 0 || length <= 0 || address + length > CT.Size) return DynamixelStatusError.AccessError;
        _table.AsSpan(address, length).CopyTo(data);
        return DynamixelStatusError.None;
    }

    /// <summary>Applies a WRITE; all or nothing.</summary>
    public DynamixelStatusError Write(int address, ReadOnlySpan<byte> data)
    {
        if (address < 0 || data.IsEmpty || address + data.Length > CT.Size) return DynamixelStatusError.AccessError;
        if (Overlaps(address, data.Length, CT.GoalVelocity, 4) && address <= CT.GoalVelocity && address + data.Length >= CT.GoalVelocity + 4)
        {
            int requested = BinaryPrimitives.ReadInt32LittleEndian(data[(CT.GoalVelocity - address)..]);
            GoalVelocityWrites++;
            MaxRequestedGoalVelocity = Math.Max(MaxRequestedGoalVelocity, requested == int.MinValue ? int.MaxValue : Math.Abs(requested));
        }
        for (int a = address; a < address + data.Length; a++)
        {
            if (!IsWritable(a)) return DynamixelStatusError.AccessError;
            if (a < CT.EepromEnd && TorqueEnabled) return DynamixelStatusError.AccessError;
        }
        Span<byte> next = stackalloc byte[CT.Size];
        _table.CopyTo(next);
        data.CopyTo(next[address..]);
        var check = Validate(next, address, data.Length);
        if (check != DynamixelStatusError.None) return check;
        // Torque cannot come back on while a shutdown error is latched (only REBOOT clears it).
        if (HardwareError != 0) next[CT.TorqueEnable] = 0;
        next.CopyTo(_table);
        if (Overlaps(address, data.Length, CT.TorqueEnable, 1) && !TorqueEnabled) WriteI32(CT.GoalVelocity, 0);
        return DynamixelStatusError.None;
    }

    /// <summary>Stages a REG WRITE (checked when ACTION applies it).</summary>
    public DynamixelStatusError RegWrite(int address, ReadOnlySpan<byte> data)
    {
        if (address < 0 || data.IsEmpty || address + data.Length > CT.Size) return DynamixelStatusError.AccessError;
        data.CopyTo(_registered);
        _registeredAddress = address;
        _registeredLength = data.Length;
        _table[CT.RegisteredInstruction] = 1;
        return DynamixelStatusError.None;
    }

    /// <summary>ACTION: applies the staged write, or Instruction Error if there is none.</summary>
    public DynamixelStatusError Action()
    {
        if (_registeredAddress < 0) return DynamixelStatusError.InstructionError;
        var result = Write(_registeredAddress, _registered.AsSpan(0, _registeredLength));
        _registeredAddress = -1;
        _table[CT.RegisteredInstruction] = 0;
        return result;
    }

    /// <summary>REBOOT: RAM back to defaults (torque off, errors cleared); EEPROM kept.</summary>
    public void Reboot()
    {
        Span<byte> eeprom = stackalloc byte[CT.EepromEnd];
        _table.AsSpan(0, CT.EepromEnd).CopyTo(eeprom);
        int position = I32(CT.PresentPosition);
        FactoryReset(0xFF);
        eeprom.CopyTo(_table);
        WriteI32(CT.PresentPosition, position);
        _registeredAddress = -1;
    }

    /// <summary>FACTORY RESET: 0xFF everything, 0x01 all but ID, 0x02 all but ID and baud rate.</summary>
    public void FactoryReset(byte option)
    {
        byte id = _table[CT.Id], baud = _table[CT.BaudRate];
        int position = I32(CT.PresentPosition);
        Array.Clear(_table);
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.ModelNumber), Model.Number);
        _table[CT.FirmwareVersion] = Model.Firmware;
        _table[CT.Id] = option == 0xFF ? _initialId : id;
        _table[CT.BaudRate] = option == 0x02 ? baud : (byte)1;
        _table[CT.ReturnDelayTime] = 250;
        _table[CT.OperatingMode] = CT.ModePosition;
        _table[CT.ProtocolType] = 2;
        WriteI32(CT.MovingThreshold, 10);
        _table[CT.TemperatureLimit] = 80;
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.MaxVoltageLimit), 140);
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.MinVoltageLimit), 60);
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.PwmLimit), 885);
        if (Model.HasCurrentControl) BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.CurrentLimit), 1193);
        WriteI32(CT.VelocityLimit, Model.DefaultVelocityLimit);
        WriteI32(CT.MaxPositionLimit, 4095);
        WriteI32(CT.MinPositionLimit, 0);
        _table[CT.Shutdown] = 0x34;
        _table[CT.StatusReturnLevel] = 2;
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.VelocityIGain), 1920);
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.VelocityPGain), 100);
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.PositionPGain), 800);
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.GoalPwm), 885);
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.PresentInputVoltage), 120);
        _table[CT.PresentTemperature] = 30;
        WriteI32(CT.PresentPosition, position);
        WriteI32(CT.GoalPosition, position);
    }

    /// <summary>Latches an overload (Hardware Error Status bit 5) and, as Shutdown's default enables that bit, turns
    /// the torque off.</summary>
    public void LatchHardwareError(byte bits)
    {
        _table[CT.HardwareErrorStatus] |= bits;
        if ((_table[CT.Shutdown] & bits) != 0)
        {
            _table[CT.TorqueEnable] = 0;
            WriteI32(CT.GoalVelocity, 0);
        }
    }

    /// <summary>The velocity (rad/s, at the horn) the servo's controller tries to hold now.</summary>
    public double CommandedVelocity(double hornPosition)
    {
        if (!TorqueEnabled || Unplugged) return 0;
        double sign = Reversed ? -1 : 1;
        double limit = ServoModel.VelocityUnitsToRadiansPerSecond(VelocityLimit);
        switch (OperatingMode)
        {
            case CT.ModeVelocity:
                return sign * ServoModel.VelocityUnitsToRadiansPerSecond(GoalVelocity);
            case CT.ModePosition or CT.ModeExtendedPosition or CT.ModeCurrentPosition:
                double goal = sign * (ServoModel.TicksToRadians(GoalPosition - I32(CT.HomingOffset)));
                // A proportional position loop: 1 rad of error → 20 rad/s, saturated at the velocity limit.
                return Math.Clamp(20 * (goal - hornPosition), -limit, limit);
            default:
                return 0; // current / PWM modes: not simulated; the joint holds still under its brake-like friction
        }
    }

    /// <summary>Writes the present-value registers from the horn's state; trips the bus watchdog when due.</summary>
    public void UpdatePresent(double hornPosition, double hornVelocity, int realtimeTickMs)
    {
        double sign = Reversed ? -1 : 1;
        WriteI32(CT.PresentPosition, ServoModel.RadiansToTicks(sign * hornPosition) + I32(CT.HomingOffset));
        WriteI32(CT.PresentVelocity, (int)Math.Round(sign * hornVelocity / ServoModel.RadiansPerSecondPerVelocityUnit));
        BinaryPrimitives.WriteUInt16LittleEndian(_table.AsSpan(CT.RealtimeTick), (ushort)(realtimeTickMs % 32768));
        _table[CT.Moving] = Math.Abs(hornVelocity) > ServoModel.VelocityUnitsToRadiansPerSecond(I32(CT.MovingThreshold)) ? (byte)1 : (byte)0;
    }

    /// <summary>Trips the Bus Watchdog (goal velocity → 0, register → −1) when it is armed and the servo has heard no
    /// instruction for longer than its period.</summary>
    public void CheckBusWatchdog(TimeSpan sinceLastInstruction)
    {
        byte w = _table[CT.BusWatchdog];
        if (w is 0 or 0xFF || !TorqueEnabled) return;
        if (sinceLastInstruction.TotalMilliseconds > 20.0 * w)
        {
            _table[CT.BusWatchdog] = 0xFF;
            WriteI32(CT.GoalVelocity, 0);
        }
    }

    private DynamixelStatusError Validate(Span<byte> t, int address, int length)
    {
        bool Touches(int reg, int size) => Overlaps(address, length, reg, size);
        if (Touches(CT.Id, 1) && t[CT.Id] > DynamixelPacket.MaxId) return DynamixelStatusError.DataRangeError;
        if (Touches(CT.BaudRate, 1) && t[CT.BaudRate] > 7) return DynamixelStatusError.DataRangeError;
        if (Touches(CT.OperatingMode, 1) && Array.IndexOf(Model.OperatingModes, t[CT.OperatingMode]) < 0) return DynamixelStatusError.DataRangeError;
        if (Touches(CT.DriveMode, 1) && (t[CT.DriveMode] & ~0x0D) != 0) return DynamixelStatusError.DataRangeError;
        if (Touches(CT.VelocityLimit, 4))
        {
            int v = BinaryPrimitives.ReadInt32LittleEndian(t[CT.VelocityLimit..]);
            if (v < 0 || v > Model.MaxVelocityLimit) return DynamixelStatusError.DataRangeError;
        }
        if (Touches(CT.TorqueEnable, 1) && t[CT.TorqueEnable] > 1) return DynamixelStatusError.DataRangeError;
        if (Touches(CT.StatusReturnLevel, 1) && t[CT.StatusReturnLevel] > 2) return DynamixelStatusError.DataRangeError;
        if (Touches(CT.BusWatchdog, 1) && t[CT.BusWatchdog] > 127) return DynamixelStatusError.DataRangeError;
        bool goals = Touches(CT.GoalPwm, 20); // Goal PWM .. Goal Position
        if (goals && _table[CT.BusWatchdog] == 0xFF && !Touches(CT.BusWatchdog, 1)) return DynamixelStatusError.DataRangeError;
        if (Touches(CT.GoalVelocity, 4))
        {
            int v = BinaryPrimitives.ReadInt32LittleEndian(t[CT.GoalVelocity..]);
            int limit = BinaryPrimitives.ReadInt32LittleEndian(t[CT.VelocityLimit..]);
            if (v > limit || v < -limit) return DynamixelStatusError.DataLimitError;
        }
        return DynamixelStatusError.None;
    }

    private bool IsWritable(int a) => a switch
    {
        < CT.Id => false,                                            // model number, model information, firmware
        CT.ShadowId or CT.ProtocolType => true,
        > CT.ProtocolType and < CT.HomingOffset => false,            // reserved
        >= 28 and < CT.TemperatureLimit => false,                     // reserved
        CT.CurrentLimit or CT.CurrentLimit + 1 => Model.HasCurrentControl,
        >= 40 and < CT.VelocityLimit => false,                       // reserved
        >= 56 and < CT.Shutdown => false,                            // reserved
        CT.RegisteredInstruction or CT.HardwareErrorStatus => false,
        66 or 67 or 71 or 72 or 73 or 74 or 75 => false,             // reserved
        >= 86 and < 88 => false,
        >= 92 and < CT.BusWatchdog => false,                         // reserved
        99 => false,
        CT.GoalCurrent or CT.GoalCurrent + 1 => Model.HasCurrentControl,
        >= CT.RealtimeTick => false,                                 // present values, trajectories, voltage, temperature
        _ => true,
    };

    private static bool Overlaps(int address, int length, int reg, int size) => address < reg + size && reg < address + length;

    private int I32(int address) => BinaryPrimitives.ReadInt32LittleEndian(_table.AsSpan(address));
    private void WriteI32(int address, int value) => BinaryPrimitives.WriteInt32LittleEndian(_table.AsSpan(address), value);
}
