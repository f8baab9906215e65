using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Cli.Robots;

/// <summary>The simulated hardware of an ethercat robot file: one CiA 402 drive per slave its joints name, on the UDP
/// port of its transport, starting in its home pose and moved by its built-in arm's dynamics. Disposing stops it.</summary>
internal sealed class SimulatedEtherCatRobot : IDisposable
{
    private SimulatedEtherCatRobot(SimulatedEcSegment segment, SimulatedCia402Drive[] drives)
    {
        Segment = segment;
        Drives = drives;
    }

    public SimulatedEcSegment Segment { get; }
    /// <summary>By slave position.</summary>
    public SimulatedCia402Drive[] Drives { get; }

    /// <exception cref="ArgumentException">Not an ethercat robot file with a "udp" transport, or its joints skip a slave.</exception>
    public static SimulatedEtherCatRobot Start(RobotDescription robot, double timeScale)
    {
        if (robot.Transport != "ethercat" || robot.EtherCatUdp is null)
            throw new ArgumentException($"robot {robot.Name}: --robot needs an ethercat robot file with a \"udp\" transport (got {robot.Transport} {robot.Port}).");
        if (!(timeScale >= 1 && timeScale <= 1000)) throw new ArgumentException($"--time-scale must be in [1, 1000], got {timeScale}.");
        int slaves = robot.Joints.Max(j => j.Id) + 1;
        if (robot.JointCount != slaves) throw new ArgumentException($"robot {robot.Name}: naf sim-robot ethercat --robot needs one joint per slave 0..{slaves - 1}.");
        var drives = new SimulatedCia402Drive[slaves];
        var byJoint = new SimulatedCia402Drive[robot.JointCount];
        for (int s = 0; s < slaves; s++)
        {
            int joint = Array.FindIndex(robot.Joints, j => j.Id == s);
            drives[s] = new SimulatedCia402Drive(countsPerRadian: robot.Joints[joint].CountsPerRadian, serial: 1000u + (uint)s);
            byJoint[joint] = drives[s];
        }
        var horns = ArmServoDynamics.HornAngles(robot, robot.Home);
        for (int j = 0; j < robot.JointCount; j++) byJoint[j].SetShaft(horns[j], 0);
        IServoDynamics? dynamics = RobotSetup.BuiltinModel(robot.KinematicsName) is { } arm ? new JointOrderDynamics(new ArmServoDynamics(arm, robot), robot) : null;
        var endPoint = System.Net.IPEndPoint.Parse(robot.EtherCatUdp);
        return new SimulatedEtherCatRobot(SimulatedEcSegment.ForDrives(drives, endPoint.Port, dynamics, timeScale), drives);
    }

    public void Dispose() => Segment.Dispose();

    // The segment orders drives by slave position; the arm's dynamics by joint. Slave s is joint Joints[k].Id == s.
    private sealed class JointOrderDynamics(IServoDynamics inner, RobotDescription robot) : IServoDynamics
    {
        private readonly int[] _jointOfSlave = Enumerable.Range(0, robot.JointCount).Select(s => Array.FindIndex(robot.Joints, j => j.Id == s)).ToArray();
        private readonly double[] _c = new double[robot.JointCount], _p = new double[robot.JointCount], _v = new double[robot.JointCount];
        private readonly bool[] _t = new bool[robot.JointCount];

        public int Count => inner.Count;

        public void Advance(double seconds, ReadOnlySpan<double> commandedVelocity, ReadOnlySpan<bool> torqueOn, Span<double> positions, Span<double> velocities)
        {
            for (int s = 0; s < _jointOfSlave.Length; s++)
            {
                int j = _jointOfSlave[s];
                (_c[j], _t[j], _p[j], _v[j]) = (commandedVelocity[s], torqueOn[s], positions[s], velocities[s]);
            }
            inner.Advance(seconds, _c, _t, _p, _v);
            for (int s = 0; s < _jointOfSlave.Length; s++)
            {
                int j = _jointOfSlave[s];
                (positions[s], velocities[s]) = (_p[j], _v[j]);
            }
        }
    }
}
