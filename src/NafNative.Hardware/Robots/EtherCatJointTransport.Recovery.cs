using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Robots;

public sealed partial class EtherCatJointTransport
{
    public bool CanRecover => true;

    /// <summary>What the last successful <see cref="TryRecover"/> did, slave by slave.</summary>
    public string LastRecovery { get; private set; } = "";

    /// <summary>Brings the segment back to OP after a safety stop, as SOEM's samples do (acknowledge SAFE-OP+ERROR,
    /// request OP; a slave that fell back to PRE-OP or INIT is configured again with the same mapping). Call it only
    /// with the arm stopped and torque off (<see cref="RobotController.TryRecover"/> does): it moves nothing, and the
    /// drives come back switched off — <see cref="Enable"/> switches them on again.</summary>
    /// <returns>Whether every slave is in OP with its drive out of Fault; if not, <see cref="LastFault"/> says which
    /// slave and why. A drive in Fault (e.g. over-current) is not reset here: that is the operator's call.</returns>
    public bool TryRecover()
    {
        var master = _master;
        var image = _image;
        if (master is null || image is null)
        {
            LastFault = "recovery: the segment was never brought up (call Connect)";
            return false;
        }
        var done = new List<string>();
        try
        {
            for (int s = 0; s < _slaves; s++)
            {
                ushort station = (ushort)(EcMaster.FirstStation + s);
                var (state, code) = master.AcknowledgeError(station);
                var current = (AlState)((byte)state & 0x0F);
                if (((byte)state & 0x10) != 0) done.Add($"slave {s}: {current}+ERROR ({AlStatusCodes.Describe(code)}, 0x{code:X4}) acknowledged");
                if (current is AlState.Init or AlState.PreOp)
                {
                    if (current == AlState.Init) { master.ConfigureMailbox(station); master.RequestState(station, AlState.PreOp); }
                    var mapping = MapSlave(s);
                    if (!mapping.Outputs.Equals(Mappings[s].Outputs) || !mapping.Inputs.Equals(Mappings[s].Inputs))
                    {
                        LastFault = $"recovery: slave {s} came back with another PDO mapping ({mapping.Outputs} / {mapping.Inputs}); reconnect to use it";
                        return false;
                    }
                    master.ConfigureSlaveProcessData(image, s);
                    done.Add($"slave {s}: configured again from {current}");
                }
            }
            // Valid outputs (controlword 0: disable voltage, no velocity) before OP, as at bring-up.
            for (int s = 0; s < _slaves; s++) Set(s, Cia402.DisableVoltage, 0);
            Array.Clear(_controlword);
            image.Exchange();
            for (int s = 0; s < _slaves; s++)
            {
                ushort station = (ushort)(EcMaster.FirstStation + s);
                if ((master.ReadAlStatus(station).State & (AlState)0x0F) == AlState.Op) continue;
                master.RequestState(station, AlState.Op);
                done.Add($"slave {s}: back in OP");
            }
            if (!image.Exchange())
            {
                LastFault = $"recovery: working counter still short of {image.ExpectedWorkingCounter} after every slave was asked for OP";
                return false;
            }
            for (int j = 0; j < JointCount; j++)
            {
                if (Cia402.Decode(Statusword(j)) != Cia402State.Fault) continue;
                int s = _slaveOf[j];
                ushort error = BinaryPrimitives.ReadUInt16LittleEndian(master.SdoUpload((ushort)(EcMaster.FirstStation + s), Cia402.ErrorCode, 0));
                LastFault = $"recovery: {_robot.Joints[j].Name} (slave {s}) is in Fault, error code 0x{error:X4} (0x603F); find the cause, then restart (bring-up resets the fault)";
                return false;
            }
        }
        catch (Exception e) when (e is EtherCatException or IOException)
        {
            LastFault = $"recovery: {e.Message}";
            return false;
        }
        LastRecovery = done.Count == 0 ? "every slave was still in OP" : string.Join("; ", done);
        return true;
    }
}
