using NafNative.Sim.Mujoco;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>The parts of the MuJoCo guard that must work where MuJoCo is missing (no <see cref="MujocoTestGuard"/>).</summary>
public sealed class MujocoRuntimeTests
{
    [TestCase("1")]
    [TestCase("true")]
    public void Disabled_SwitchSet_ReportsUnavailableWithInstallCommand(string value) =>
        Assert.That(MujocoRuntime.Disabled(value),
            Does.Contain($"{MujocoRuntime.DisableVariable}={value}").And.Contain("apt-get install -y gcc libmujoco-dev"));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("0")]
    public void Disabled_SwitchUnset_DoesNotDisable(string? value) => Assert.That(MujocoRuntime.Disabled(value), Is.Null);

    /// <summary>Without MuJoCo, SetUp ignores the test before it creates its folder; TearDown then ran
    /// Directory.Delete("") and turned every skip into a failure.</summary>
    [Test]
    public void BindingTearDown_AfterSetUpSkipped_DoesNotThrow() =>
        Assert.That(() => new MujocoBindingTests().TearDown(), Throws.Nothing);
}
