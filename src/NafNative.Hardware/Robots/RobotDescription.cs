using System.Numerics;
using System.Text.Json.Nodes;
using NafNative.Hardware.Dynamixel;
using NafNative.Safety;

namespace NafNative.Hardware.Robots;

/// <summary>One joint of a robot file: which drive moves it and how its angle maps to the drive's.</summary>
/// <remarks>Joint angle q = <see cref="Direction"/> × (drive angle − <see cref="ZeroOffset"/>). Dynamixel: <see cref="Id"/>
/// is the servo ID, <see cref="Model"/> its model, and the drive angle is in radians from the horn's centre (tick 2048 =
/// 0). EtherCAT: <see cref="Id"/> is the slave's position on the segment, <see cref="Model"/> null, and the drive angle
/// is its position actual / <see cref="CountsPerRadian"/> (counts per motor revolution × gear ratio / 2π). Limits are in
/// joint radians; the velocity limit is what the safety filter clamps to (and, on Dynamixel, is also written to the
/// servo's Velocity Limit register, so the servo refuses faster goals).</remarks>
public sealed record RobotJoint(string Name, byte Id, ServoModel? Model, int Direction, double ZeroOffset,
    double Lower, double Upper, double MaxVelocity, double CountsPerRadian = 0);

/// <summary>The reach task on a real arm: where targets are drawn, how observations are scaled, episode length.</summary>
public sealed record RobotReachSettings(Vector3 TargetCenter, Vector3 TargetHalfExtents, double SuccessRadius,
    int EpisodeSteps, double ActionScale, double PositionScale, double VelocityScale, double InitialNoise);

/// <summary>A robot file: transport, joints, control rate, watchdog, workspace, home pose, kinematics and task.</summary>
/// <remarks>
/// <para>JSON, snake_case keys; every field is validated on load and an error names the file and the field (e.g.
/// <c>robot file a.json: joints[2].id = 300 is above its maximum 252.</c>). Unknown keys are refused. The format is
/// documented in README ("Robot file").</para>
/// </remarks>
public sealed record RobotDescription
{
    public required string Name { get; init; }
    public required string SourcePath { get; init; }
    /// <summary>Transport kind: "dynamixel" or "ethercat".</summary>
    public required string Transport { get; init; }
    /// <summary>EtherCAT: the network interface of the segment (raw Ethernet), or null with <see cref="EtherCatUdp"/>.</summary>
    public string? EtherCatInterface { get; init; }
    /// <summary>EtherCAT over UDP: HOST:PORT of the segment, or null.</summary>
    public string? EtherCatUdp { get; init; }
    /// <summary>EtherCAT: the RxPDO layout (0x1C12 and its PDOs) to write into every joint's drive in PRE-OP, or null
    /// to keep the drive's own.</summary>
    public EtherCat.EcPdoMapping? PdoOutputs { get; init; }
    /// <summary>EtherCAT: the TxPDO layout (0x1C13), or null to keep the drive's own.</summary>
    public EtherCat.EcPdoMapping? PdoInputs { get; init; }
    /// <summary>EtherCAT: process-data exchanges per control cycle. 2 (the default): one LRW reads, one writes the
    /// policy's answer as soon as it comes — a policy step is one cycle. 1: one LRW at the start of each cycle carries
    /// the command staged in the previous one and brings the state back — frames at a fixed phase, but a command's
    /// outcome is read two cycles after it was decided, so a policy step takes two cycles.</summary>
    public int EtherCatLrwPerCycle { get; init; } = 2;
    /// <summary>EtherCAT: how long recovery waits for a slave that stopped answering (power loss, a cable) to be back
    /// on the segment before it gives up (<c>transport.lost_slave_wait_ms</c>).</summary>
    public TimeSpan EtherCatLostSlaveWait { get; init; } = TimeSpan.FromSeconds(2);
    public required string Port { get; init; }
    public required int Baud { get; init; }
    public required TimeSpan BusLatency { get; init; }
    public required int BusRetries { get; init; }
    /// <summary>Read the joints with FAST SYNC READ (one combined reply; X430/540 firmware ≥ 45, X330 ≥ 46).</summary>
    public required bool FastSyncRead { get; init; }
    /// <summary>"posix" (termios, the default on Linux) or "system.io.ports".</summary>
    public required string SerialDriver { get; init; }
    public required RobotJoint[] Joints { get; init; }
    public required double ControlRate { get; init; }
    /// <summary>No command from the policy for this long, during an episode → safety stop.</summary>
    public required TimeSpan WatchdogPeriod { get; init; }
    /// <summary>Consecutive cycles without a valid reply before the link counts as lost.</summary>
    public required int MaxMissedReplies { get; init; }
    /// <summary>The drives' own link watchdog: a drive that hears nothing for this long stops by itself (the backup
    /// for a dead process; the control loop's watchdog is the primary stop).</summary>
    public required TimeSpan DriveWatchdog { get; init; }
    /// <summary>SCHED_FIFO priority for the control thread where permitted (0: normal scheduling).</summary>
    public required int RealtimePriority { get; init; }
    /// <summary>After a safety stop for a lost link or a drive error, end the episode and recover the link at the next
    /// reset (EtherCAT: acknowledge SAFE-OP+ERROR, OP, re-enable) instead of ending the run.</summary>
    public bool RecoverBetweenEpisodes { get; init; }
    /// <summary>How long zero velocity is held after a stop before torque goes off.</summary>
    public required TimeSpan StopHold { get; init; }
    public required double JointMargin { get; init; }
    public required Vector3 WorkspaceMin { get; init; }
    public required Vector3 WorkspaceMax { get; init; }
    /// <summary>workspace.rule: "stop" (default: every joint stops at the box) or "slide" (only the outward part of a
    /// motion is removed).</summary>
    public WorkspaceRule WorkspaceRule { get; init; } = WorkspaceRule.Stop;
    public required double[] Home { get; init; }
    /// <summary>Fastest joint speed (rad/s) of the reset motion to the home pose.</summary>
    public required double HomeSpeed { get; init; }
    /// <summary>The longest a reset to home may take (wall seconds at time scale 1) before it is an error.</summary>
    public required double HomeTimeout { get; init; }
    public required IForwardKinematics Kinematics { get; init; }
    public required string KinematicsName { get; init; }
    public required RobotReachSettings Reach { get; init; }

    public int JointCount => Joints.Length;
    public TimeSpan ControlPeriod => TimeSpan.FromSeconds(1 / ControlRate);

    /// <summary>The safety filter's limits for this robot.</summary>
    public SafetyLimits SafetyLimits()
    {
        int n = Joints.Length;
        var vmax = new float[n];
        var lo = new float[n];
        var hi = new float[n];
        for (int i = 0; i < n; i++)
        {
            vmax[i] = (float)Joints[i].MaxVelocity;
            lo[i] = (float)Joints[i].Lower;
            hi[i] = (float)Joints[i].Upper;
        }
        var period = ControlPeriod;
        return new SafetyLimits(vmax, lo, hi, (float)JointMargin, WorkspaceMin, WorkspaceMax, period,
            WatchdogPeriod < period ? period : WatchdogPeriod) { WorkspaceRule = WorkspaceRule };
    }

    /// <summary>Loads and validates a robot file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="builtinKinematics">Resolves <c>"kinematics": {"builtin": NAME}</c> to the arm's forward
    /// kinematics (the CLI passes the simulator's models), or returns null for an unknown name.</param>
    /// <exception cref="InvalidDataException">A field is missing, malformed or inconsistent; the message names it.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static RobotDescription Load(string path, Func<string, (IForwardKinematics Kinematics, int Joints)?>? builtinKinematics = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"robot file {path} does not exist.", path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"robot file {path}: not valid JSON: {e.Message}", e);
        }
        return Parse(root, path, builtinKinematics);
    }

    /// <summary>Validates a robot description already parsed from JSON (see <see cref="Load"/>).</summary>
    public static RobotDescription Parse(JsonNode? root, string source, Func<string, (IForwardKinematics Kinematics, int Joints)?>? builtinKinematics = null)
    {
        var f = new JsonFields(root, "", source);
        string name = f.String("name");

        var t = new JsonFields(f.Required("transport"), "transport", source);
        string kind = t.String("type");
        if (kind is not ("dynamixel" or "ethercat")) throw t.Error("transport.type", $"= '{kind}' is not supported; use \"dynamixel\" or \"ethercat\"");
        bool ethercat = kind == "ethercat";
        string port, driver = SerialLinks.DefaultDriver;
        string? ecInterface = null, ecUdp = null;
        EtherCat.EcPdoMapping? pdoOutputs = null, pdoInputs = null;
        int lrwPerCycle = 2;
        double lostSlaveWaitMs = 2000;
        int baud = 0;
        bool fast = false;
        double latencyMs;
        int retries;
        if (ethercat)
        {
            ecInterface = t.OptionalString("interface");
            ecUdp = t.OptionalString("udp");
            if (ecInterface is null == ecUdp is null) throw t.Error("transport", "needs exactly one of \"interface\" (raw Ethernet) or \"udp\" (HOST:PORT)");
            if (ecUdp is not null && !(System.Net.IPEndPoint.TryParse(ecUdp, out var ep) && ep.Port != 0)) throw t.Error("transport.udp", $"= '{ecUdp}' is not HOST:PORT");
            port = ecInterface ?? ecUdp!;
            latencyMs = t.Number("timeout_ms", 20, 1, 1000);
            retries = t.Integer("retries", 2, 0, 10);
            lrwPerCycle = t.Integer("lrw_per_cycle", 2, 1, 2);
            lostSlaveWaitMs = t.Number("lost_slave_wait_ms", 2000, 0, 60_000);
            if (t.Optional("pdo") is { } pdoNode)
            {
                var pdo = new JsonFields(pdoNode, "transport.pdo", source);
                pdoOutputs = pdo.Optional("rx") is { } rx ? PdoLayout(rx, "transport.pdo.rx", source, 0x1600) : null;
                pdoInputs = pdo.Optional("tx") is { } tx ? PdoLayout(tx, "transport.pdo.tx", source, 0x1A00) : null;
                pdo.RefuseUnknown();
            }
        }
        else
        {
            port = t.String("port");
            baud = t.Integer("baud", 1_000_000, null, null);
            if (Array.IndexOf(SerialPortLink.SupportedBaudRates, baud) < 0)
                throw t.Error("transport.baud", $"= {baud} is not supported; use one of {string.Join(", ", SerialPortLink.SupportedBaudRates)}");
            latencyMs = t.Number("latency_ms", 10, 0, 1000);
            retries = t.Integer("retries", 2, 0, 10);
            driver = t.OptionalString("driver") ?? SerialLinks.DefaultDriver;
            if (Array.IndexOf(SerialLinks.Drivers, driver) < 0) throw t.Error("transport.driver", $"= '{driver}' is not known; use {string.Join(" or ", SerialLinks.Drivers)}");
            fast = t.Optional("fast_sync_read") is { } fastNode
                ? fastNode is JsonValue fv && fv.TryGetValue(out bool b) ? b : throw t.Error("transport.fast_sync_read", "must be true or false")
                : false;
        }
        t.RefuseUnknown();

        double rate = f.Number("control_rate_hz", 20, 1, 1000);
        double watchdogMs = f.Number("watchdog_ms", 4000 / rate, 1, 60_000);
        if (watchdogMs < 1000 / rate) throw f.Error("watchdog_ms", $"= {watchdogMs} is shorter than one control period ({1000 / rate:F1} ms)");
        int missed = f.Integer("max_missed_replies", 3, 1, 100);
        // Dynamixel's Bus Watchdog counts 20 ms units up to 127 (2.54 s).
        double driveWatchdogMs = f.Number("drive_watchdog_ms", Math.Max(100, 5000 / rate), 20, 2540);
        double holdMs = f.Number("stop_hold_ms", 500, 0, 10_000);
        int realtime = f.Integer("realtime_priority", 20, 0, 99);
        double margin = f.Number("joint_margin_rad", 0.05, 0, 1);
        bool recover = f.Optional("recover_between_episodes") is { } recoverNode
            ? recoverNode is JsonValue rv && rv.TryGetValue(out bool rb) ? rb : throw f.Error("recover_between_episodes", "must be true or false")
            : false;

        var jointsArray = f.Array("joints");
        if (jointsArray.Count is 0 or > Safety.SafetyLimits.MaxJoints) throw f.Error("joints", $"has {jointsArray.Count} joints; give 1 to {Safety.SafetyLimits.MaxJoints}");
        var joints = new RobotJoint[jointsArray.Count];
        var ids = new HashSet<byte>();
        for (int i = 0; i < joints.Length; i++)
        {
            string at = $"joints[{i}]";
            var j = new JsonFields(jointsArray[i], at, source);
            string jointName = j.OptionalString("name") ?? $"joint{i + 1}";
            int id;
            ServoModel? model = null;
            double countsPerRadian = 0;
            if (ethercat)
            {
                id = j.Integer("slave", 0, 255);
                if (!ids.Add((byte)id)) throw j.Error($"{at}.slave", $"= {id} is used by another joint; every drive is one slave");
                double counts = j.Number("counts_per_revolution", 131072, 1, 1e9), gear = j.Number("gear_ratio", 1, 1e-3, 1e4);
                countsPerRadian = counts * gear / (2 * Math.PI);
            }
            else
            {
                id = j.Integer("id", 0, DynamixelPacket.MaxId);
                if (!ids.Add((byte)id)) throw j.Error($"{at}.id", $"= {id} is used by another joint; every servo needs its own ID");
                string modelName = j.String("model");
                model = ServoModel.FromName(modelName) ?? throw j.Error($"{at}.model", $"= '{modelName}' is not a known model; use one of {ServoModel.KnownNames}");
            }
            int direction = j.Integer("direction", 1, -1, 1);
            if (direction == 0) throw j.Error($"{at}.direction", "must be 1 or -1");
            double zero = j.Number("zero_offset_rad", 0, -4 * Math.PI, 4 * Math.PI);
            double lower = j.Number("min_rad", -Math.PI, -100, 100), upper = j.Number("max_rad", Math.PI, -100, 100);
            if (!(lower < upper)) throw j.Error($"{at}.max_rad", $"= {upper} is not above min_rad = {lower}");
            if (upper - lower <= 2 * margin) throw j.Error($"{at}", $"range [{lower}, {upper}] is not wider than twice joint_margin_rad = {margin}");
            double vmax = j.Number("max_velocity_rad_s", 0, 1e-3, null);
            if (model is not null)
            {
                double servoMax = ServoModel.VelocityUnitsToRadiansPerSecond(model.MaxVelocityLimit);
                if (vmax > servoMax) throw j.Error($"{at}.max_velocity_rad_s", $"= {vmax} is above what a {model.Name} can be limited to ({servoMax:F2} rad/s)");
            }
            j.RefuseUnknown();
            joints[i] = new RobotJoint(jointName, (byte)id, model, direction, zero, lower, upper, vmax, countsPerRadian);
        }
        int n = joints.Length;

        var w = new JsonFields(f.Required("workspace"), "workspace", source);
        Vector3 wmin = Vec(w.Numbers("min", 3)), wmax = Vec(w.Numbers("max", 3));
        for (int a = 0; a < 3; a++)
            if (!(wmin[a] < wmax[a])) throw w.Error("workspace.max", $"[{a}] = {wmax[a]} is not above workspace.min[{a}] = {wmin[a]}");
        var rule = w.OptionalString("rule") switch
        {
            null or "stop" => WorkspaceRule.Stop,
            "slide" => WorkspaceRule.Slide,
            string other => throw w.Error("workspace.rule", $"= '{other}' is not 'slide' or 'stop'"),
        };
        w.RefuseUnknown();

        double[] home = f.Numbers("home", n);
        for (int i = 0; i < n; i++)
            if (home[i] < joints[i].Lower + margin || home[i] > joints[i].Upper - margin)
                throw f.Error($"home[{i}]", $"= {home[i]} is outside joint {i}'s allowed range [{joints[i].Lower + margin}, {joints[i].Upper - margin}]");
        double homeSpeed = f.Number("home_speed_rad_s", 0.3, 1e-3, 10);
        double homeTimeout = f.Number("home_timeout_s", 30, 0.1, 600);

        var k = new JsonFields(f.Required("kinematics"), "kinematics", source);
        IForwardKinematics kinematics;
        string kinematicsName;
        if (k.OptionalString("builtin") is string builtin)
        {
            var resolved = builtinKinematics?.Invoke(builtin) ?? throw k.Error("kinematics.builtin", $"= '{builtin}' is not a built-in arm here (built in: iiwa14)");
            if (resolved.Joints != n) throw k.Error("kinematics.builtin", $"'{builtin}' has {resolved.Joints} joints but the file lists {n}");
            kinematics = resolved.Kinematics;
            kinematicsName = builtin;
        }
        else
        {
            var table = k.Optional("dh") as JsonArray ?? throw k.Error("kinematics", "needs \"builtin\": NAME or \"dh\": [rows]");
            if (table.Count != n) throw k.Error("kinematics.dh", $"has {table.Count} rows; give one per joint ({n})");
            var rows = new DhRow[n];
            for (int i = 0; i < n; i++)
            {
                var r = new JsonFields(table[i], $"kinematics.dh[{i}]", source);
                rows[i] = new DhRow(r.Number("a", 0, null, null), r.Number("alpha", 0, null, null), r.Number("d", 0, null, null), r.Number("theta_offset", 0, null, null));
                r.RefuseUnknown();
            }
            double[] tool = k.OptionalNumbers("tool", 3) ?? [0, 0, 0];
            kinematics = new DhKinematics(rows, new Vector3((float)tool[0], (float)tool[1], (float)tool[2]));
            kinematicsName = $"DH table ({n} rows)";
        }
        k.RefuseUnknown();

        RobotReachSettings reach;
        if (f.Optional("task") is { } taskNode)
        {
            var r = new JsonFields(taskNode, "task", source);
            string type = r.String("type");
            if (type != "reach") throw r.Error("task.type", $"= '{type}' is not a robot task; use \"reach\"");
            reach = new RobotReachSettings(
                Vec(r.OptionalNumbers("target_center", 3) ?? [0.55, 0, 0.35]),
                Vec(r.OptionalNumbers("target_half_extents", 3) ?? [0.15, 0.2, 0.15]),
                r.Number("success_radius_m", 0.05, 1e-4, 1), r.Integer("episode_steps", 100, 1, 1_000_000),
                r.Number("action_scale", 0.25, 1e-3, 1), r.Number("position_scale_m", 0.25, 1e-3, 10),
                r.Number("velocity_scale_m_s", 0.5, 1e-3, 100), r.Number("initial_noise_rad", 0.05, 0, 1));
            r.RefuseUnknown();
        }
        else reach = new RobotReachSettings(new(0.55f, 0, 0.35f), new(0.15f, 0.2f, 0.15f), 0.05, 100, 0.25, 0.25, 0.5, 0.05);
        f.RefuseUnknown();

        var description = new RobotDescription
        {
            Name = name, SourcePath = source, Transport = kind, Port = port, Baud = baud, EtherCatInterface = ecInterface, EtherCatUdp = ecUdp, PdoOutputs = pdoOutputs, PdoInputs = pdoInputs, EtherCatLrwPerCycle = lrwPerCycle, EtherCatLostSlaveWait = TimeSpan.FromMilliseconds(lostSlaveWaitMs),
            BusLatency = TimeSpan.FromMilliseconds(latencyMs), BusRetries = retries, SerialDriver = driver, FastSyncRead = fast, Joints = joints, ControlRate = rate,
            WatchdogPeriod = TimeSpan.FromMilliseconds(watchdogMs), MaxMissedReplies = missed, DriveWatchdog = TimeSpan.FromMilliseconds(driveWatchdogMs), StopHold = TimeSpan.FromMilliseconds(holdMs), RealtimePriority = realtime, RecoverBetweenEpisodes = recover,
            JointMargin = margin, WorkspaceMin = wmin, WorkspaceMax = wmax, WorkspaceRule = rule, Home = home, HomeSpeed = homeSpeed, HomeTimeout = homeTimeout,
            Kinematics = kinematics, KinematicsName = kinematicsName, Reach = reach,
        };
        var homePosition = kinematics.EndEffectorPosition(Array.ConvertAll(home, x => (float)x));
        if (Vector3.Clamp(homePosition, wmin, wmax) != homePosition)
            throw f.Error("home", $"puts the end effector at {homePosition}, outside the workspace box [{wmin}, {wmax}]");
        return description;
    }

    private static Vector3 Vec(double[] v) => new((float)v[0], (float)v[1], (float)v[2]);

    // {"0x1600": ["0x6040:0:16", "0x60FF:0:32"], "0x1601": [...]}: PDOs in assignment order, each with its entries.
    private static EtherCat.EcPdoMapping PdoLayout(JsonNode node, string path, string source, ushort first)
    {
        var error = new JsonFields(new JsonObject(), path, source);
        if (node is not JsonObject pdos || pdos.Count == 0)
            throw error.Error(path, "must be an object of PDO mapping indices to entry lists, e.g. {\"0x1600\": [\"0x6040:0:16\", \"0x60FF:0:32\"]}");
        var list = new List<EtherCat.EcPdo>();
        foreach (var (key, value) in pdos)
        {
            string at = $"{path}.{key}";
            string hex = key.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? key[2..] : key;
            if (!ushort.TryParse(hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out ushort index) || index < first || index > first + 0x1FF)
                throw error.Error(at, $"is not a PDO mapping index 0x{first:X4}..0x{first + 0x1FF:X4}");
            if (value is not JsonArray entries || entries.Count is 0 or > 64) throw error.Error(at, "must be a list of 1 to 64 entries \"INDEX:SUBINDEX:BITS\"");
            var parsed = new EtherCat.EcPdoEntry[entries.Count];
            for (int e = 0; e < entries.Count; e++)
            {
                try
                {
                    parsed[e] = EtherCat.EcPdoEntry.Parse(entries[e] is JsonValue v && v.TryGetValue(out string? text) ? text : "");
                }
                catch (Exception x) when (x is FormatException or ArgumentException)
                {
                    throw error.Error($"{at}[{e}]", $"= {entries[e]?.ToJsonString() ?? "null"} is not \"INDEX:SUBINDEX:BITS\" (e.g. \"0x60FF:0:32\")");
                }
                if (parsed[e].Bits % 8 != 0) throw error.Error($"{at}[{e}]", $"maps {parsed[e].Bits} bits; whole bytes only (8, 16, 32)");
            }
            list.Add(new EtherCat.EcPdo(index, parsed));
        }
        return new EtherCat.EcPdoMapping(list);
    }
}
