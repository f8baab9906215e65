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
                var schedule = (parse.GetValue(faults) ?? []).Select(ParseTimedFault).OrderBy(f => f.At).ToList();
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
                    using var interrupt = new CtrlC();
                    // SIGTERM (kill, systemd, a test harness) stops it as cleanly as Ctrl-C: the link is removed.
                    using var terminate = new CancellationTokenSource();
                    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
                        context => { context.Cancel = true; terminate.Cancel(); });
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token, terminate.Token);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    double? stopAfter = parse.GetValue(seconds);
                    while (!stop.IsCancellationRequested && (stopAfter is not double s || clock.Elapsed.TotalSeconds < s))
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
        var command = new Command("sim-robot", "Simulated robot hardware for testing without an arm.") { dynamixel };
        return command;
    }

    private static (double At, ServoFault Fault) ParseTimedFault(string text)
    {
        int at = text.IndexOf('@');
        if (at < 0) return (0, ServoFault.Parse(text));
        if (!double.TryParse(text[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture, out double seconds) || seconds < 0)
            throw new FormatException($"fault '{text}': the time after @ must be seconds ≥ 0.");
        return (seconds, ServoFault.Parse(text[..at]));
    }

    private static byte[] ParseIds(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t =>
            byte.TryParse(t, out byte id) && id <= DynamixelPacket.MaxId ? id : throw new FormatException($"--ids: '{t}' is not a servo ID 0..252.")).ToArray();
}
