using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;

namespace NafNative.Cli.Robots;

/// <summary>The simulated hardware of a robot file: its servos on a new pty, moved by its built-in arm's dynamics,
/// starting in its home pose, with a symlink to the pty at a path of the caller's choosing (the file's port by
/// default). Disposing stops it and removes the link.</summary>
internal sealed class SimulatedRobot : IDisposable
{
    private SimulatedRobot(SimulatedDynamixelChain chain, string? link)
    {
        Chain = chain;
        Link = link;
    }

    public SimulatedDynamixelChain Chain { get; }
    public string? Link { get; }

    public static SimulatedRobot Start(RobotDescription robot, double timeScale, string? link)
    {
        if (robot.Transport != "dynamixel") throw new ArgumentException($"robot {robot.Name}: naf sim-robot dynamixel serves Dynamixel robots; this one is on {robot.Transport}.");
        var servos = robot.Joints.Select(j => new SimulatedServo(j.Id, j.Model!)).ToArray();
        IServoDynamics? dynamics = RobotSetup.BuiltinModel(robot.KinematicsName) is { } arm ? new ArmServoDynamics(arm, robot) : null;
        var chain = new SimulatedDynamixelChain(servos, dynamics, timeScale, ArmServoDynamics.HornAngles(robot, robot.Home));
        return Start(chain, link);
    }

    public static SimulatedRobot Start(SimulatedDynamixelChain chain, string? link)
    {
        try
        {
            if (link is not null) MakeLink(link, chain.PortPath);
            chain.Start();
            return new SimulatedRobot(chain, link);
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Chain.Dispose();
        if (Link is not null && new FileInfo(Link).LinkTarget is not null) File.Delete(Link);
    }

    private static void MakeLink(string linkPath, string target)
    {
        var info = new FileInfo(linkPath);
        if (info.LinkTarget is null && (info.Exists || Directory.Exists(linkPath)))
            throw new IOException($"refusing to replace {linkPath}: it exists and is not a symlink (is a real device or file there?). Name another --link.");
        if (info.LinkTarget is not null) File.Delete(linkPath); // ours from an earlier run, possibly dangling
        File.CreateSymbolicLink(linkPath, target);
    }
}
