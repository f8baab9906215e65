using System.CommandLine;
using NafNative.Cli.Robots;
using NafNative.Cli.Training;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Simulated;

namespace NafNative.Cli.Commands;

/// <summary><c>naf sim-robot dynamixel</c>: simulated X-series servos on a pseudo-terminal this process creates.</summary>
internal static class SimRobotCommand
{
    public static Command Create()
    {
        var robotFile = new Option<string?>("--robot") { Description = "Serve the joints of this robot file (IDs, models, home pose); its kinematics' arm (builtin iiwa14) moves them, and a symlink to the pty is made at its transport.port." };
        var ids = new Option<string?>("--ids") { Description = "Without --robot: servo IDs to simulate, e.g. 1,2,3 (default 1)." };
        var model = new Option<string>("--model") { Description = $"Without --robot: the servos' model ({ServoModel.KnownNames}).", DefaultValueFactory = _ => "XM430-W350" };
        var timeScale = new Option<double>("--time-scale") { Description = "Simulated seconds per wall-clock second (give the same to naf train/run/eval --robot-time-scale).", DefaultValueFactory = _ => 1 };
        var faults = new Option<string[]>("--fault") { Description = "Inject a fault, optionally at a time: drop[:N], crc[:N], delay:MS[:N], overload:ID, unplug:ID, replug:ID, each with @SECONDS (e.g. overload:3@10).", AllowMultipleArgumentsPerToken = true };
        var link = new Option<string?>("--link") { Description = "Also make a symlink to the pty here (replaced if it is a symlink; never a real file or device)." };
        var seconds = new Option<double?>("--seconds") { Description = "Stop after this many seconds (default: until Ctrl-C)." };
        var dynamixel = new Command("dynamixel", "Serve a chain of simulated Dynamixel X-series servos (Protocol 2.0) on a new pseudo-terminal.")
            { robotFile, ids, model, timeScale, faults, link, seconds };
        dynamixel.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                double scale = parse.GetValue(timeScale);
                if (!(scale >= 1 && scale <= 1000)) throw new ArgumentException($"--time-scale must be in [1, 1000], got {scale}.");
                var schedule = (parse.GetValue(faults) ?? []).Select(f => ParseTimed(f, ServoFault.Parse)).OrderBy(f => f.At).ToList();
                SimulatedRobot simulated;
                if (parse.GetValue(robotFile) is string path)
                {
                    var robot = RobotSetup.Load(path);
                    simulated = SimulatedRobot.Start(robot, scale, parse.GetValue(link) ?? robot.Port);
                }
                else
                {
                    var servoModel = ServoModel.FromName(parse.GetValue(model)!) ?? throw new ArgumentException($"--model '{parse.GetValue(model)}' is not known; use one of {ServoModel.KnownNames}.");
                    byte[] idList = ParseIds(parse.GetValue(ids) ?? "1");
                    simulated = SimulatedRobot.Start(new SimulatedDynamixelChain(idList.Select(id => new SimulatedServo(id, servoModel)).ToArray(), timeScale: scale),
                        parse.GetValue(link));
                }
                using (simulated)
                {
                    var chain = simulated.Chain;
                    var snapshot = chain.Snapshot();
                    stdout.WriteLine($"serving {snapshot.Length} simulated servos (IDs {string.Join(", ", snapshot.Select(s => s.Id))}) on {chain.PortPath}" +
                        (simulated.Link is null ? "" : $" (linked at {simulated.Link})") + $", time scale {scale}");
                    stdout.Flush();
                    // Ctrl-C and SIGTERM (kill, systemd, a test harness) both stop it cleanly: the link is removed.
                    using var stop = new CtrlC();
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    double? stopAfter = parse.GetValue(seconds);
                    while (!stop.Token.IsCancellationRequested && (stopAfter is not double s || clock.Elapsed.TotalSeconds < s))
                    {
                        while (schedule.Count > 0 && schedule[0].At <= clock.Elapsed.TotalSeconds)
                        {
                            chain.Inject(schedule[0].Fault);
                            stderr.WriteLine($"sim-robot: injected {schedule[0].Fault.Kind} at {clock.Elapsed.TotalSeconds:F1} s");
                            schedule.RemoveAt(0);
                        }
                        if (chain.Failure is { } failure) throw new IOException($"the simulated chain stopped: {failure.Message}", failure);
                        stop.Token.WaitHandle.WaitOne(20);
                    }
                    stdout.WriteLine($"stopped: {chain.PacketsReceived} packets received, {chain.StatusPacketsSent} status packets sent, " +
                        $"{chain.FaultsApplied} reply faults applied, {chain.SimulatedSeconds:F1} simulated s");
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or FormatException or PlatformNotSupportedException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        var command = new Command("sim-robot", "Simulated robot hardware for testing without an arm.") { dynamixel, EtherCat() };
        return command;
    }

    // naf sim-robot ethercat: simulated EtherCAT slaves on UDP loopback, or on a veth pair inside a namespace it makes.
    private static Command EtherCat()
    {
        var slaves = new Option<int>("--slaves") { Description = "Simulated slaves in the segment.", DefaultValueFactory = _ => 2 };
        var udp = new Option<int?>("--udp") { Description = "Serve EtherCAT over UDP on 127.0.0.1:PORT (no root needed)." };
        var veth = new Option<string?>("--veth") { Description = "Make a veth pair NAME-m / NAME-s (root), put NAME-s in a new network namespace NAME and serve there; the master opens NAME-m. Both are removed when it stops." };
        var seconds = new Option<double?>("--seconds") { Description = "Stop after this many seconds (default: until Ctrl-C or SIGTERM)." };
        var robotFile = new Option<string?>("--robot") { Description = "Serve one CiA 402 drive per joint of this ethercat robot file, moved by its built-in arm's dynamics, on the UDP port its transport names." };
        var timeScale = new Option<double>("--time-scale") { Description = "With --robot: simulated seconds per wall-clock second (give the same --robot-time-scale to train/run/eval).", DefaultValueFactory = _ => 1 };
        var faults = new Option<string[]>("--fault") { Description = "Inject a fault, optionally at a time: lost[:N], corrupt[:N], link-down, safeop-error:SLAVE, drive-fault:SLAVE, slave-lost:SLAVE[:MS] (it and the slaves behind it lose contact for MS ms, 500 by default, and it comes back power-cycled), lost-reply[:N] (the slaves act on the next N frames, the replies are lost), each with @SECONDS (e.g. drive-fault:2@10).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("ethercat", "Serve simulated EtherCAT slaves (ESC registers, SII, AL states; CiA 402 drives with --robot) on UDP loopback or a veth pair in a namespace.")
            { slaves, udp, veth, seconds, robotFile, timeScale, faults };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            string? name = parse.GetValue(veth);
            NafNative.Hardware.Simulated.EtherCat.VethNamespace? pair = null;
            try
            {
                int n = parse.GetValue(slaves);
                if (n is < 1 or > 64) throw new ArgumentException($"--slaves must be 1..64, got {n}.");
                var schedule = (parse.GetValue(faults) ?? []).Select(f => ParseTimed(f, NafNative.Hardware.Simulated.EtherCat.EcFault.Parse)).OrderBy(f => f.At).ToList();
                if (parse.GetValue(robotFile) is string robotPath)
                    return ServeRobot(RobotSetup.Load(robotPath), parse.GetValue(timeScale), parse.GetValue(seconds), schedule, stdout, stderr);
                if (name is null == parse.GetValue(udp) is null) throw new ArgumentException("give exactly one of --udp PORT or --veth NAME (or --robot FILE).");
                // CiA 402 drives (each behind its ESC, with a CoE object dictionary), moving by their own first-order lag.
                var drives = Enumerable.Range(0, n).Select(i => new NafNative.Hardware.Simulated.EtherCat.SimulatedCia402Drive(serial: 1000u + (uint)i)).ToArray();
                var escs = drives.Select(d => d.Esc).ToArray();
                NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment segment;
                if (name is not null)
                {
                    pair = new NafNative.Hardware.Simulated.EtherCat.VethNamespace(name);
                    segment = NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment.OnInterface(escs, pair.SlaveSide, pair.Namespace);
                    segment.AttachDrives(drives);
                    stdout.WriteLine($"serving {n} simulated CiA 402 drives (EtherCAT slaves with CoE) on {pair.SlaveSide} in namespace {pair.Namespace}; the master's side is {pair.MasterSide} (naf hw scan --ethercat {pair.MasterSide})");
                }
                else
                {
                    segment = NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment.ForDrives(drives, parse.GetValue(udp)!.Value);
                    stdout.WriteLine($"serving {n} simulated CiA 402 drives (EtherCAT slaves with CoE) on {segment.Where} (naf hw scan --udp {segment.EndPoint})");
                }
                stdout.Flush();
                using (segment)
                {
                    WaitForStop(parse.GetValue(seconds), segment, schedule, stderr);
                    stdout.WriteLine($"stopped: {segment.FramesReceived} frames received, {segment.FramesDropped} dropped");
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or System.Net.Sockets.SocketException or FormatException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
            finally
            {
                pair?.Dispose();
            }
        });
        return command;
    }

    // The drives of an ethercat robot file on its UDP port, moved by the arm's dynamics.
    private static int ServeRobot(NafNative.Hardware.Robots.RobotDescription robot, double timeScale, double? seconds,
        List<(double At, NafNative.Hardware.Simulated.EtherCat.EcFault Fault)> schedule, TextWriter stdout, TextWriter stderr)
    {
        using var simulated = SimulatedEtherCatRobot.Start(robot, timeScale);
        var segment = simulated.Segment;
        stdout.WriteLine($"serving {simulated.Drives.Length} simulated CiA 402 drives for robot {robot.Name} on {segment.Where}, time scale {timeScale}");
        stdout.Flush();
        WaitForStop(seconds, segment, schedule, stderr);
        stdout.WriteLine($"stopped: {segment.FramesReceived} frames received, {segment.FramesDropped} dropped");
        return 0;
    }

    // Until Ctrl-C, SIGTERM or the optional time limit, injecting the scheduled faults on the way.
    private static void WaitForStop(double? seconds, NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment segment,
        List<(double At, NafNative.Hardware.Simulated.EtherCat.EcFault Fault)> schedule, TextWriter stderr)
    {
        using var signals = new CtrlC();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!signals.Token.IsCancellationRequested && (seconds is not double s || clock.Elapsed.TotalSeconds < s))
        {
            while (schedule.Count > 0 && schedule[0].At <= clock.Elapsed.TotalSeconds)
            {
                segment.Inject(schedule[0].Fault);
                stderr.WriteLine($"sim-robot: injected {schedule[0].Fault.Kind} (slave {schedule[0].Fault.Slave}) at {clock.Elapsed.TotalSeconds:F1} s");
                schedule.RemoveAt(0);
            }
            signals.Token.WaitHandle.WaitOne(20);
        }
    }


    // FAULT or FAULT@SECONDS, for either simulator's fault syntax.
    private static (double At, T Fault) ParseTimed<T>(string text, Func<string, T> parse)
    {
        int at = text.IndexOf('@');
        if (at < 0) return (0, parse(text));
        if (!double.TryParse(text[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture, out double seconds) || seconds < 0)
            throw new FormatException($"fault '{text}': the time after @ must be seconds ≥ 0.");
        return (seconds, parse(text[..at]));
    }

    private static byte[] ParseIds(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t =>
            byte.TryParse(t, out byte id) && id <= DynamixelPacket.MaxId ? id : throw new FormatException($"--ids: '{t}' is not a servo ID 0..252.")).ToArray();
}
