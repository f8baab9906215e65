using NafNative.Sim.Mujoco;
using NUnit.Framework;

namespace NafNative.TestSupport;

/// <summary>MuJoCo tests (the Sim and CLI test projects link this file) run wherever libmujoco-dev is installed.
/// Without it they are skipped with the install command, except under CI (CI=true), which installs it (.ci/run) and
/// so must never skip them silently, unless CI turned MuJoCo off on purpose (NAFNATIVE_DISABLE_MUJOCO=1) to check
/// exactly that skip.</summary>
internal static class MujocoTestGuard
{
    public static void Require()
    {
        if (MujocoRuntime.IsAvailable) return;
        string reason = MujocoRuntime.UnavailableReason!;
        if (!MujocoRuntime.IsDisabled && Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must run the MuJoCo tests: {reason}");
        Assert.Ignore(reason);
    }
}
