using System.CommandLine;
using System.Text.Json.Nodes;
using NafNative.Cli.Bench;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;

namespace NafNative.Cli.Commands;

/// <summary><c>naf bench cycle</c>: the robot control loop (SYNC READ + filter + SYNC WRITE) against simulated servos
/// on a pty this process creates: cycle time, jitter and overruns at each rate, bytes allocated per cycle.</summary>
internal static class BenchCycleCommand
{
    public static Command Create()
    {
        var joints = new Option<int>("--joints") { Description = "Servos on the bus (XM430-W350, IDs 1..N).", DefaultValueFactory = _ => 7 };
        var rates = new Option<string>("--rates") { Description = "Control rates to try, Hz, comma-separated.", DefaultValueFactory = _ => "20,50,100,200,500,1000" };
        var baud = new Option<int>("--baud") { Description = "Baud rate the link is opened at (a pty moves bytes at memory speed whatever it is set to).", DefaultValueFactory = _ => 1_000_000 };
        var driver = new Option<string?>("--driver") { Description = $"Serial driver: {string.Join(" or ", SerialLinks.Drivers)} (default {SerialLinks.DefaultDriver})." };
        var fast = new Option<bool>("--fast-sync-read") { Description = "Read the joints with FAST SYNC READ (one combined reply) instead of SYNC READ." };
        var ethercat = new Option<string?>("--ethercat") { Description = "Measure CiA 402 drives on EtherCAT instead: 'veth' (a veth pair into a namespace this command makes and removes; root) or 'udp' (loopback)." };
        var lrw = new Option<int>("--lrw-per-cycle") { Description = "With --ethercat: 2 (an LRW for the read and one for the write) or 1 (one LRW per cycle carrying the previous cycle's command; a policy step then takes two cycles).", DefaultValueFactory = _ => 2 };
        var seconds = CommonOptions.Seconds(5);
        var json = CommonOptions.Json();
        var command = new Command("cycle", "Measure the robot control loop on simulated Dynamixel servos over a pty: cycle time, jitter, overruns, allocations.")
            { joints, rates, baud, driver, fast, ethercat, lrw, seconds, json };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            try
            {
                int n = parse.GetValue(joints);
                if (n is < 1 or > 64) throw new ArgumentException($"--joints must be 1..64, got {n}.");
                var rateList = parse.GetValue(rates)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(r => double.TryParse(r, System.Globalization.CultureInfo.InvariantCulture, out double v) && v >= 1 && v <= 5000 ? v
                        : throw new ArgumentException($"--rates: '{r}' is not a rate in [1, 5000] Hz.")).ToArray();
                var rows = new List<CycleRow>();
                if (!parse.GetValue(json))
                {
                    if (parse.GetValue(ethercat) is string ecLink)
                        stdout.WriteLine($"{n} CiA 402 drives on EtherCAT ({ecLink}), {(parse.GetValue(lrw) == 1 ? "one LRW per cycle" : "one LRW for the read and one for the write per cycle")}, {CommonOptions.CpuDescription()}");
                    else stdout.WriteLine($"{n} joints, {(parse.GetValue(fast) ? "FAST " : "")}SYNC READ 8 B/servo + SYNC WRITE 4 B/servo per cycle, pty at {parse.GetValue(baud)} baud, driver {parse.GetValue(driver) ?? SerialLinks.DefaultDriver}, {CommonOptions.CpuDescription()}");
                    stdout.WriteLine("    rate  cycles  cycle p50/p99/max ms    jitter p50/p99/max ms   overruns  missed  B/cycle  stable  lost frames");
                }
                foreach (double rate in rateList)
                {
                    var row = parse.GetValue(ethercat) is string ec
                        ? MeasureEtherCat(n, rate, ec, parse.GetValue(lrw), parse.GetValue(seconds))
                        : Measure(n, rate, parse.GetValue(baud), parse.GetValue(driver), parse.GetValue(fast), parse.GetValue(seconds));
                    rows.Add(row);
                    if (!parse.GetValue(json))
                        stdout.WriteLine($"  {rate,6:F0}  {row.Cycles,6}  {row.CycleP50,6:F3} / {row.CycleP99,6:F3} / {row.CycleMax,6:F2}   " +
                            $"{row.JitterP50,6:F3} / {row.JitterP99,6:F3} / {row.JitterMax,6:F2}  {row.Overruns,8}  {row.MissedReplies,6}  {row.BytesPerCycle,7:F1}  {(row.Stable ? "yes" : "no "),-6}  {row.LostFrames}");
                }
                double highest = rows.Where(r => r.Stable).Select(r => r.Rate).DefaultIfEmpty(0).Max();
                if (parse.GetValue(json)) JsonOutput.Write(stdout, new { joints = n, rows, highest_stable_rate = highest, cpu = CommonOptions.CpuDescription() });
                else stdout.WriteLine($"highest stable rate: {highest} Hz (stable: no overrun, no missed reply, jitter p99 under 10% of the period)");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or RobotStoppedException or PlatformNotSupportedException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static CycleRow Measure(int joints, double rate, int baud, string? driver, bool fast, double seconds)
    {
        var servos = Enumerable.Range(1, joints).Select(id => new SimulatedServo((byte)id, ServoModel.Xm430W350)).ToArray();
        using var chain = new SimulatedDynamixelChain(servos);
        chain.Start();
        var robot = RobotDescription.Parse(Document(chain.PortPath, joints, rate, baud, driver, fast), "naf bench cycle");
        return Run(robot, new DynamixelJointTransport(robot), joints, rate, seconds, () => 0);
    }

    private static CycleRow MeasureEtherCat(int joints, double rate, string link, int lrwPerCycle, double seconds)
    {
        if (lrwPerCycle is not (1 or 2)) throw new ArgumentException($"--lrw-per-cycle must be 1 or 2, got {lrwPerCycle}.");
        var drives = Enumerable.Range(0, joints).Select(i => new NafNative.Hardware.Simulated.EtherCat.SimulatedCia402Drive(countsPerRadian: 20861, serial: (uint)i)).ToArray();
        NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment segment;
        NafNative.Hardware.Simulated.EtherCat.VethNamespace? pair = null;
        JsonObject transport;
        if (link == "veth")
        {
            pair = new NafNative.Hardware.Simulated.EtherCat.VethNamespace($"nafb{Environment.ProcessId % 100000}");
            try
            {
                segment = NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment.OnInterface(drives.Select(d => d.Esc).ToArray(), pair.SlaveSide, pair.Namespace);
            }
            catch
            {
                pair.Dispose();
                throw;
            }
            segment.AttachDrives(drives);
            transport = new JsonObject { ["type"] = "ethercat", ["interface"] = pair.MasterSide };
        }
        else if (link == "udp")
        {
            segment = NafNative.Hardware.Simulated.EtherCat.SimulatedEcSegment.ForDrives(drives);
            transport = new JsonObject { ["type"] = "ethercat", ["udp"] = segment.EndPoint.ToString() };
        }
        else throw new ArgumentException($"--ethercat must be veth or udp, got '{link}'.");
        try
        {
            var doc = Document("unused", joints, rate, 1_000_000, null, false);
            transport["lrw_per_cycle"] = lrwPerCycle;
            doc["transport"] = transport;
            foreach (var j in doc["joints"]!.AsArray())
            {
                j!.AsObject().Remove("id");
                j.AsObject().Remove("model");
            }
            var list = doc["joints"]!.AsArray();
            for (int i = 0; i < list.Count; i++) list[i]!["slave"] = i;
            var robot = RobotDescription.Parse(doc, "naf bench cycle --ethercat");
            var ecTransport = new EtherCatJointTransport(robot);
            return Run(robot, ecTransport, joints, rate, seconds, () => ecTransport.LostFrames);
        }
        finally
        {
            segment.Dispose();
            pair?.Dispose();
        }
    }

    private static CycleRow Run(RobotDescription robot, IJointTransport transport, int joints, double rate, double seconds, Func<long> lostFrames)
    {
        using var controller = new RobotController(robot, transport);
        controller.Start();
        controller.Arm();
        var q = new double[joints];
        var qd = new double[joints];
        var command = new double[joints];
        long warmCycles = 0, warmBytes = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double warmUp = Math.Min(1.0, seconds / 4);
        bool warmed = false;
        while (clock.Elapsed.TotalSeconds < warmUp + seconds)
        {
            // A slow sinusoid within every limit: the loop does its full work (filter, kinematics, write) each cycle.
            double t = clock.Elapsed.TotalSeconds;
            for (int i = 0; i < joints; i++) command[i] = 0.2 * Math.Sin(2 * Math.PI * 0.5 * t + i);
            controller.WaitForState(controller.Command(command), q, qd);
            if (!warmed && t >= warmUp)
            {
                warmed = true;
                warmCycles = controller.Cycles.Read().Cycles;
                warmBytes = controller.LoopAllocatedBytes;
            }
        }
        var summary = controller.Cycles.Read();
        long cycles = summary.Cycles - warmCycles;
        double bytes = cycles > 0 ? (controller.LoopAllocatedBytes - warmBytes) / (double)cycles : 0;
        double periodMs = 1000 / rate;
        bool stable = summary.Overruns == 0 && controller.MissedReplies == 0 && summary.JitterP99 < 0.1 * periodMs;
        return new CycleRow(rate, summary.Cycles, summary.CycleP50, summary.CycleP99, summary.CycleMax, summary.JitterP50, summary.JitterP99,
            summary.JitterMax, summary.Overruns, controller.MissedReplies, bytes, stable, lostFrames());
    }

    private static JsonObject Document(string port, int joints, double rate, int baud, string? driver, bool fast)
    {
        var list = new JsonArray();
        var dh = new JsonArray();
        var home = new JsonArray();
        for (int i = 0; i < joints; i++)
        {
            list.Add(new JsonObject { ["id"] = i + 1, ["model"] = "XM430-W350", ["min_rad"] = -3.0, ["max_rad"] = 3.0, ["max_velocity_rad_s"] = 1.0 });
            dh.Add(new JsonObject { ["a"] = 0.1, ["alpha"] = i % 2 == 0 ? 1.5708 : -1.5708, ["d"] = 0.05 });
            home.Add(0.0);
        }
        var transport = new JsonObject { ["type"] = "dynamixel", ["port"] = port, ["baud"] = baud, ["latency_ms"] = 10 };
        if (driver is not null) transport["driver"] = driver;
        if (fast) transport["fast_sync_read"] = true;
        return new JsonObject
        {
            ["name"] = "bench", ["transport"] = transport, ["control_rate_hz"] = rate, ["watchdog_ms"] = Math.Max(1000, 4000 / rate),
            ["joints"] = list, ["home"] = home,
            ["workspace"] = new JsonObject { ["min"] = new JsonArray(-10.0, -10.0, -10.0), ["max"] = new JsonArray(10.0, 10.0, 10.0) },
            ["kinematics"] = new JsonObject { ["dh"] = dh },
        };
    }

    private sealed record CycleRow(double Rate, long Cycles, double CycleP50, double CycleP99, double CycleMax, double JitterP50,
        double JitterP99, double JitterMax, long Overruns, long MissedReplies, double BytesPerCycle, bool Stable, long LostFrames);
}
