using NafNative.Hardware.Robots;

namespace NafNative.Hardware.Tests.Robots;

internal static class RobotStops
{
    /// <summary>Starts the loop, moves the arm at <paramref name="velocity"/> for <paramref name="before"/> steps, does
    /// <paramref name="fault"/>, and keeps commanding (at most <paramref name="after"/> steps) until the loop stops the
    /// arm; returns the stop.</summary>
    public static RobotStoppedException DriveUntilStopped(RobotController controller, double[] velocity, Action fault, int before = 5, int after = 200)
    {
        controller.Start();
        controller.Arm();
        var q = new double[velocity.Length];
        var qd = new double[velocity.Length];
        for (int i = 0; i < before; i++) controller.WaitForState(controller.Command(velocity), q, qd);
        fault();
        var ex = Assert.Throws<RobotStoppedException>(() =>
        {
            for (int i = 0; i < after; i++) controller.WaitForState(controller.Command(velocity), q, qd);
        });
        // A requested stop refuses the next command at once; the loop latches it (zero velocity, hold, torque off) a
        // cycle and a hold later. What the caller checks is that latched stop.
        Assert.That(SpinWait.SpinUntil(() => controller.StopError is not null, TimeSpan.FromSeconds(10)), Is.True, "the loop latched the stop");
        return controller.StopError!;
    }
}
