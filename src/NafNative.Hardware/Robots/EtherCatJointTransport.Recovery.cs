using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;

namespace NafNative.Hardware.Robots;

public sealed partial class EtherCatJointTransport
{
    public bool CanRecover => true;

    /// <summary>What the last successful <see cref="TryRecover"/> did, slave by slave.</summary>
    public string LastRecovery { get; private set; } = "";

    /// <summary>Brings the segment back to OP after a safety stop, as SOEM's slave check (ecatcheck) does, slave by
    /// slave: one that does not answer at its station address is lost — it is looked for at its position until
    /// <see cref="RobotDescription.EtherCatLostSlaveWait"/> has passed, and once there (power-cycled: INIT, no address)
    /// it gets its address back after its identity is checked; SAFE-OP+ERROR is acknowledged; a slave in PRE-OP or
    /// INIT is configured again with the same mapping; then valid outputs and OP. Call it only with the arm stopped and
    /// torque off (<see cref="RobotController.TryRecover"/> does): it moves nothing, and the drives come back switched
    /// off — <see cref="Enable"/> switches them on again.</summary>
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
        var waited = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // Valid outputs first (controlword 0: disable voltage, no velocity), kept cycling while recovery waits, as
            // SOEM's process-data thread goes on beside its slave check: slaves still in OP keep their SM watchdog fed.
            for (int s = 0; s < _slaves; s++) Set(s, Cia402.DisableVoltage, 0);
            Array.Clear(_controlword);
            for (int s = 0; s < _slaves; s++)
                if (!FindAgain(master, image, s, waited, done)) return false;
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
            // Valid outputs before OP, as at bring-up; a slave whose SM watchdog tripped meanwhile (reconfiguring
            // another took longer than its watchdog) is acknowledged again first.
            image.Exchange();
            for (int s = 0; s < _slaves; s++)
            {
                ushort station = (ushort)(EcMaster.FirstStation + s);
                var (state, code) = master.ReadAlStatus(station);
                if (((byte)state & 0x10) != 0)
                {
                    master.AcknowledgeError(station);
                    done.Add($"slave {s}: {(AlState)((byte)state & 0x0F)}+ERROR ({AlStatusCodes.Describe(code)}, 0x{code:X4}) acknowledged");
                }
                else if ((state & (AlState)0x0F) == AlState.Op) continue;
                image.Exchange();
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

    // A slave that does not answer at its station address is lost (ecatcheck's "lost"): look for it at its position
    // until the wait is over. Back with address 0, it lost power: it gets its address again once its SII says it is
    // the same device (ecx_recover_slave); with its own address it only missed frames. Nothing is commanded meanwhile:
    // the control loop has ended, and the process data keep cycling with controlword 0 and no velocity.
    private bool FindAgain(EcMaster master, EcProcessImage image, int s, System.Diagnostics.Stopwatch waited, List<string> done)
    {
        var expected = Slaves[s];
        if (master.Answers(expected.Station)) return true;
        while (true)
        {
            ushort? at = master.StationAt(s);
            if (at == expected.Station) return true;
            if (at is not null)
            {
                master.Readdress(expected); // throws when another device sits at the position
                done.Add($"slave {s}: lost, found again at position {s} after {waited.Elapsed.TotalMilliseconds:F0} ms (it had lost its address: power cycle), identity checked, address 0x{expected.Station:X4} given back");
                return true;
            }
            if (waited.Elapsed >= _robot.EtherCatLostSlaveWait)
            {
                LastFault = $"recovery: slave {s} (0x{expected.Station:X4}, \"{expected.Name}\") does not answer at its address or at its position after {waited.Elapsed.TotalSeconds:F1} s " +
                    $"(transport.lost_slave_wait_ms {_robot.EtherCatLostSlaveWait.TotalMilliseconds:F0}); check its power and the cable to it";
                return false;
            }
            Thread.Sleep(10);
            KeepCycling(image);
        }
    }

    private static void KeepCycling(EcProcessImage image)
    {
        try
        {
            image.Exchange();
        }
        catch (EtherCatException)
        {
            // With the first slave gone no frame comes back; the wait goes on.
        }
    }
}
