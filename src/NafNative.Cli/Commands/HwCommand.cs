using System.CommandLine;
using NafNative.Cli.Robots;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Robots;
using CT = NafNative.Hardware.Dynamixel.ControlTable;

namespace NafNative.Cli.Commands;

/// <summary><c>naf hw scan|check|reboot</c>: look at a servo bus without training anything.</summary>
internal static class HwCommand
{
    public static Command Create()
    {
        var command = new Command("hw", "Inspect robot hardware: scan a bus, check a robot file against its arm, reboot a servo.");
        command.Subcommands.Add(Scan());
        command.Subcommands.Add(Check());
        command.Subcommands.Add(Reboot());
        return command;
    }

    private static Option<string> Port() => new("--port") { Description = "Serial device of the bus (e.g. /dev/ttyUSB0); only this port is opened.", Required = true };
    private static Option<int?> Baud() => new("--baud") { Description = "Baud rate (default 1000000; the X series ships at 57600)." };
    private static Option<string?> Driver() => new("--driver") { Description = $"Serial driver: {string.Join(" or ", SerialLinks.Drivers)} (default {SerialLinks.DefaultDriver})." };

    private static Command Scan()
    {
        var port = new Option<string?>("--port") { Description = "Serial device of a Dynamixel bus (e.g. /dev/ttyUSB0); only this port is opened." };
        var ethercat = new Option<string?>("--ethercat") { Description = "Scan the EtherCAT segment on this network interface (raw Ethernet; root or CAP_NET_RAW)." };
        var udp = new Option<string?>("--udp") { Description = "Scan the EtherCAT segment reached by EtherCAT over UDP at HOST:PORT." };
        var pcap = new Option<string?>("--pcap") { Description = "EtherCAT: also write every frame of the scan to this pcap file (Wireshark, tshark)." };
        var baud = Baud();
        var allBauds = new Option<bool>("--all-bauds") { Description = "Try every X-series rate from 57600 to 4000000 (a servo of unknown baud rate)." };
        var driver = Driver();
        var command = new Command("scan", "Broadcast-ping a Dynamixel bus (--port), or enumerate an EtherCAT segment (--ethercat IF | --udp HOST:PORT).")
            { port, baud, allBauds, driver, ethercat, udp, pcap };
        command.SetAction(parse => Guard(parse, () =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            int given = (parse.GetValue(port) is null ? 0 : 1) + (parse.GetValue(ethercat) is null ? 0 : 1) + (parse.GetValue(udp) is null ? 0 : 1);
            if (given != 1) throw new ArgumentException("naf hw scan needs exactly one of --port DEVICE, --ethercat INTERFACE or --udp HOST:PORT.");
            if (parse.GetValue(port) is null) return ScanEtherCat(parse.GetValue(ethercat), parse.GetValue(udp), parse.GetValue(pcap), stdout);
            if (parse.GetValue(pcap) is not null) throw new ArgumentException("--pcap captures EtherCAT frames; give it with --ethercat or --udp.");
            int[] rates = parse.GetValue(allBauds) ? [57_600, 115_200, 1_000_000, 2_000_000, 3_000_000, 4_000_000] : [parse.GetValue(baud) ?? 1_000_000];
            int total = 0;
            foreach (int rate in rates)
            {
                using var bus = new DynamixelBus(SerialLinks.Open(parse.GetValue(port)!, rate, parse.GetValue(driver)));
                var found = bus.Scan();
                total += found.Count;
                if (found.Count == 0) { stdout.WriteLine($"{rate} baud: no servo answered"); continue; }
                stdout.WriteLine($"{rate} baud: {found.Count} servo(s)");
                stdout.WriteLine("  ID  model                  firmware");
                foreach (var p in found)
                    stdout.WriteLine($"  {p.Id,3} {(p.Model?.Name ?? "unknown"),-12} ({p.ModelNumber,4})  {p.Firmware}");
            }
            if (total == 0)
                stdout.WriteLine($"no servo answered on {parse.GetValue(port)}: check power and cable; X-series servos ship at 57600 baud (try --all-bauds).");
            return total == 0 ? 2 : 0;
        }));
        return command;
    }

    private static int ScanEtherCat(string? interfaceName, string? udp, string? pcap, TextWriter stdout)
    {
        using var capture = pcap is null ? null : new NafNative.Hardware.EtherCat.PcapCapture(pcap);
        NafNative.Hardware.EtherCat.IEcLink link;
        if (interfaceName is not null) link = new NafNative.Hardware.EtherCat.RawEthernetLink(interfaceName) { Capture = capture };
        else
        {
            if (!System.Net.IPEndPoint.TryParse(udp!, out var endPoint) || endPoint.Port == 0)
                throw new ArgumentException($"--udp '{udp}' is not HOST:PORT (e.g. 127.0.0.1:34980).");
            link = new NafNative.Hardware.EtherCat.UdpEcLink(endPoint) { Capture = capture };
        }
        int exit = HwScanEtherCat.Run(link, stdout);
        if (capture is not null) stdout.WriteLine($"{capture.Frames} frames written to {capture.Path}");
        return exit;
    }

    private static Command Check()
    {
        var robotFile = new Option<string>("--robot") { Description = "Robot file to check against the arm.", Required = true };
        var move = new Option<bool>("--move") { Description = "Also jog each joint +0.1 rad and back (slowly, through the safety filter) to check its direction." };
        var timeScale = new Option<double>("--robot-time-scale") { Description = "Simulated robots only: the simulator's --time-scale.", DefaultValueFactory = _ => 1 };
        var command = new Command("check", "Read every joint of a robot file: Dynamixel model, angle against its limits, torque, errors, voltage, temperature; EtherCAT slave identities and AL states, PDO mapping against the file, CiA 402 state and error code, angle. Moves nothing unless --move.")
            { robotFile, move, timeScale };
        command.SetAction(parse => Guard(parse, () =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var robot = RobotSetup.Load(parse.GetValue(robotFile)!);
            int problems = 0;
            if (robot.Transport == "ethercat") problems += HwCheckEtherCat.Run(robot, stdout);
            else using (var transport = new DynamixelJointTransport(robot))
            {
                transport.Connect(); // pings every joint and compares models; one error lists every mismatch
                var bus = transport.Bus;
                stdout.WriteLine($"robot {robot.Name}: {robot.JointCount} joints on {transport.Description}, kinematics {robot.KinematicsName}");
                stdout.WriteLine("  joint         ID  model        angle(rad)  range               torque  hw error        voltage  temp");
                foreach (var j in robot.Joints)
                {
                    int ticks = bus.Read4(j.Id, CT.PresentPosition);
                    double q = j.Direction * (ServoModel.TicksToRadians(ticks) - j.ZeroOffset);
                    byte torque = bus.Read1(j.Id, CT.TorqueEnable), error = bus.Read1(j.Id, CT.HardwareErrorStatus);
                    double volts = bus.Read2(j.Id, CT.PresentInputVoltage) / 10.0;
                    byte temperature = bus.Read1(j.Id, CT.PresentTemperature);
                    bool inside = q >= j.Lower && q <= j.Upper;
                    if (!inside || error != 0) problems++;
                    stdout.WriteLine($"  {j.Name,-12} {j.Id,3}  {j.Model!.Name,-11} {q,10:F3}  [{j.Lower,6:F2}, {j.Upper,6:F2}]{(inside ? "  " : " !")}  " +
                        $"{(torque == 1 ? "on " : "off"),-6}  {(error == 0 ? "none" : DynamixelErrorText.DescribeHardwareError(error)),-14}  {volts,5:F1} V  {temperature,3} °C");
                }
                var q0 = new float[robot.JointCount];
                for (int i = 0; i < q0.Length; i++) q0[i] = (float)(robot.Joints[i].Direction * (ServoModel.TicksToRadians(bus.Read4(robot.Joints[i].Id, CT.PresentPosition)) - robot.Joints[i].ZeroOffset));
                var ee = robot.Kinematics.EndEffectorPosition(q0);
                bool inBox = System.Numerics.Vector3.Clamp(ee, robot.WorkspaceMin, robot.WorkspaceMax) == ee;
                if (!inBox) problems++;
                stdout.WriteLine($"  end effector at {ee} m: {(inBox ? "inside" : "OUTSIDE")} the workspace box [{robot.WorkspaceMin}, {robot.WorkspaceMax}]");
            }
            if (parse.GetValue(move)) problems += Jog(robot, parse.GetValue(timeScale), stdout);
            stdout.WriteLine(problems == 0 ? "check passed" : $"check found {problems} problem(s) (marked !)");
            return problems == 0 ? 0 : 2;
        }));
        return command;
    }

    // Moves each joint +0.1 rad and back through the control loop, and reports whether the reading followed.
    private static int Jog(RobotDescription robot, double timeScale, TextWriter stdout)
    {
        int problems = 0;
        using var task = RobotSetup.OpenReach(robot, timeScale);
        var q = new double[robot.JointCount];
        var qd = new double[robot.JointCount];
        task.Controller.ReadState(q, qd);
        var start = (double[])q.Clone();
        for (int i = 0; i < robot.JointCount; i++)
        {
            var goal = (double[])start.Clone();
            goal[i] = Math.Min(start[i] + 0.1, robot.Joints[i].Upper - robot.JointMargin - 0.01);
            task.MoveTo(goal);
            task.Controller.ReadState(q, qd);
            double moved = q[i] - start[i];
            bool ok = moved > 0.05;
            if (!ok) problems++;
            stdout.WriteLine($"  jog {robot.Joints[i].Name}: commanded +{goal[i] - start[i]:F3} rad, read {moved:+0.000;-0.000} rad {(ok ? "ok" : "! wrong direction or not moving: check direction/zero_offset")}");
            task.MoveTo(start);
        }
        return problems;
    }

    private static Command Reboot()
    {
        var port = Port();
        var baud = Baud();
        var id = new Option<int>("--id") { Description = "Servo to reboot (clears a latched hardware error; torque comes back off).", Required = true };
        var driver = Driver();
        var command = new Command("reboot", "Reboot one servo (after an overload or other shutdown).") { port, baud, id, driver };
        command.SetAction(parse => Guard(parse, () =>
        {
            int servo = parse.GetValue(id);
            if (servo is < 0 or > DynamixelPacket.MaxId) throw new ArgumentException($"--id must be 0..{DynamixelPacket.MaxId}, got {servo}.");
            using var bus = new DynamixelBus(SerialLinks.Open(parse.GetValue(port)!, parse.GetValue(baud) ?? 1_000_000, parse.GetValue(driver)));
            bus.Reboot((byte)servo);
            Thread.Sleep(100);
            var ping = bus.Ping((byte)servo);
            byte error = bus.Read1((byte)servo, CT.HardwareErrorStatus);
            parse.InvocationConfiguration.Output.WriteLine($"servo {servo} ({ping.Model?.Name ?? ping.ModelNumber.ToString()}) rebooted; hardware error: {DynamixelErrorText.DescribeHardwareError(error)}");
            return 0;
        }));
        return command;
    }

    internal static int Guard(ParseResult parse, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (RobotStoppedException e)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 3;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or TimeoutException or PlatformNotSupportedException
            or System.Net.Sockets.SocketException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
