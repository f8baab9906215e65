using System.Net;
using System.Net.Sockets;

namespace NafNative.Remote.Tests;

/// <summary>What the tests that run <c>naf learner</c> as a child process share: a free loopback port, a small quick
/// config, and the command line.</summary>
internal static class LearnerProcessSetup
{
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A config in <paramref name="dir"/>: no evaluation to speak of, rows every half second.</summary>
    public static string WriteConfig(string dir)
    {
        string path = Path.Combine(dir, "learner-config.json");
        File.WriteAllText(path, """{ "eval_every_seconds": 1000, "eval_episodes": 2, "min_replay_fill": 500, "hidden": [32, 32], "metrics_every_seconds": 0.5 }""");
        return path;
    }

    /// <summary><c>naf learner --task reach</c> on 127.0.0.1:<paramref name="port"/> with a budget far beyond any
    /// test (the test stops it), its run folder in <paramref name="dir"/>.</summary>
    public static string[] Learner(string dir, int port, params string[] extra) =>
    [
        "learner", "--task", "reach", "--listen", $"127.0.0.1:{port}", "--out", Path.Combine(dir, "run"), "--steps", "100000000",
        "--config", WriteConfig(dir), .. extra,
    ];

    /// <summary>The transitions the learner's remote_workers.csv last counted for the worker <paramref name="name"/>
    /// (0 before its first row).</summary>
    public static long TransitionsOf(string dir, string name)
    {
        string csv = Path.Combine(dir, "run", Server.LearnerServer.WorkersFile);
        if (!File.Exists(csv)) return 0;
        long transitions = 0;
        // wall_seconds,worker,name,peer,steps,steps_per_s,transitions,... (a row being appended may be cut short)
        foreach (string line in File.ReadLines(csv).Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length > 6 && fields[2] == name && long.TryParse(fields[6], out long t)) transitions = Math.Max(transitions, t);
        }
        return transitions;
    }
}
