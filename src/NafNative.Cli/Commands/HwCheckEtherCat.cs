using System.Buffers.Binary;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Robots;

namespace NafNative.Cli.Commands;

/// <summary><c>naf hw check</c> for an ethercat robot file: bring-up to OP with the drives left switched off, every
/// slave's identity and AL state, each drive's PDO mapping against the robot file, CiA 402 state, error code and
/// angle against its limits, and the end effector against the workspace box. Moves nothing.</summary>
internal static class HwCheckEtherCat
{
    /// <summary>Prints the tables; returns the number of problems found (each marked !).</summary>
    public static int Run(RobotDescription robot, TextWriter stdout)
    {
        int problems = 0;
        using var transport = new EtherCatJointTransport(robot);
        transport.Connect(); // bring-up; one error names a missing slave or a mapping that lacks what CSV needs
        var master = transport.Master!;
        var image = transport.Image!;
        bool exchanged = image.Exchange(); // inputs as of now, in OP (controlword 0: the drives stay switched off)
        if (!exchanged) problems++;
        stdout.WriteLine($"robot {robot.Name}: {robot.JointCount} joints on {transport.Description}, {transport.Slaves.Count} slave(s), kinematics {robot.KinematicsName}");
        stdout.WriteLine("  pos  station  vendor      product     revision    serial      state   name");
        foreach (var s in transport.Slaves)
        {
            var (state, code) = master.ReadAlStatus(s.Station);
            bool op = state == AlState.Op;
            if (!op) problems++;
            string shown = ((byte)state & 0x10) != 0 ? $"{(AlState)((byte)state & 0x0F)}+ERROR ({AlStatusCodes.Describe(code)})" : state.ToString();
            stdout.WriteLine($"  {s.Position,3}  0x{s.Station:X4}   0x{s.Vendor:X8}  0x{s.Product:X8}  0x{s.Revision:X8}  {s.Serial,10}  {shown,-6}{(op ? " " : " !")} {s.Name}");
        }
        if (!exchanged) stdout.WriteLine($"  ! process data working counter short of {image.ExpectedWorkingCounter}: a slave does not exchange");

        stdout.WriteLine("  joint         slave  402 state             error   angle(rad)  range");
        var q = new float[robot.JointCount];
        for (int j = 0; j < robot.JointCount; j++)
        {
            var joint = robot.Joints[j];
            ushort station = (ushort)(EcMaster.FirstStation + joint.Id);
            var state = Cia402.Decode(transport.Statusword(j));
            ushort error;
            string errorText;
            try
            {
                error = BinaryPrimitives.ReadUInt16LittleEndian(master.SdoUpload(station, Cia402.ErrorCode, 0));
                errorText = error == 0 ? "none" : $"0x{error:X4}";
            }
            catch (EtherCatException)
            {
                (error, errorText) = (0, "n/a"); // a drive without 0x603F: its statusword still says whether it is in Fault
            }
            double angle = joint.Direction * (transport.PositionCounts(j) / joint.CountsPerRadian - joint.ZeroOffset);
            q[j] = (float)angle;
            bool inside = angle >= joint.Lower && angle <= joint.Upper;
            bool faulted = state is Cia402State.Fault or Cia402State.FaultReactionActive || error != 0;
            if (!inside) problems++;
            if (faulted) problems++;
            stdout.WriteLine($"  {joint.Name,-12} {joint.Id,5}  {state,-20}{(faulted ? "!" : " ")} {errorText,-6} {angle,10:F3}  [{joint.Lower,6:F2}, {joint.Upper,6:F2}]{(inside ? "" : " !")}");
        }

        for (int j = 0; j < robot.JointCount; j++)
        {
            int slave = robot.Joints[j].Id;
            var (outputs, inputs) = transport.Mappings[slave];
            bool rxOk = robot.PdoOutputs is null || robot.PdoOutputs.Equals(outputs), txOk = robot.PdoInputs is null || robot.PdoInputs.Equals(inputs);
            if (!rxOk) problems++;
            if (!txOk) problems++;
            string source = robot.PdoOutputs is null && robot.PdoInputs is null ? "the drive's own (the robot file names none)" : "as the robot file";
            stdout.WriteLine($"  slave {slave} PDO outputs {outputs} ({outputs.Bytes} B){(rxOk ? "" : $" ! the robot file says {robot.PdoOutputs}")}");
            stdout.WriteLine($"  slave {slave} PDO inputs  {inputs} ({inputs.Bytes} B){(txOk ? "" : $" ! the robot file says {robot.PdoInputs}")}{(rxOk && txOk ? $": {source}" : "")}");
        }

        var ee = robot.Kinematics.EndEffectorPosition(q);
        bool inBox = System.Numerics.Vector3.Clamp(ee, robot.WorkspaceMin, robot.WorkspaceMax) == ee;
        if (!inBox) problems++;
        stdout.WriteLine($"  end effector at {ee} m: {(inBox ? "inside" : "OUTSIDE")} the workspace box [{robot.WorkspaceMin}, {robot.WorkspaceMax}]");
        stdout.WriteLine($"  lost frames: {transport.LostFrames}, damaged replies rejected: {master.CorruptFrames}");
        return problems;
    }
}
