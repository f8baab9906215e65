using NafNative.Sim.Arm;
using NafNative.Sim.Mujoco;
using NafNative.Sim.Tasks;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

public sealed class MujocoBindingTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        MujocoTestGuard.Require();
        _dir = Path.Combine(Path.GetTempPath(), $"nafnative-mjcf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    // SetUp ignores the test before creating the folder where MuJoCo is missing: then there is nothing to delete.
    [TearDown]
    public void TearDown()
    {
        if (_dir.Length > 0 && Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        _dir = "";
    }

    [Test]
    public void Runtime_IsMujoco222()
    {
        Assert.That(MujocoRuntime.IsAvailable, Is.True);
        Assert.That(MujocoRuntime.UnavailableReason, Is.Null);
    }

    [Test]
    public void Diagnose_WithoutMujoco_SaysWhatToInstall()
    {
        string missing = Path.Combine(_dir, "libnafmujoco.so");
        Assert.That(MujocoRuntime.Diagnose(missing, headersInstalled: false),
            Does.Contain("apt-get install -y gcc libmujoco-dev").And.Contain(missing));
        Assert.That(MujocoRuntime.Diagnose(missing, headersInstalled: true), Does.Contain("apt-get install -y gcc").And.Contain("dotnet build"));
        string broken = Write("libnafmujoco.so", "not an ELF file");
        Assert.That(MujocoRuntime.Diagnose(broken, headersInstalled: true), Does.Contain("does not load").And.Contain("libmujoco-dev"));
    }

    [Test]
    public void Load_MissingFile_NamesIt()
    {
        string path = Path.Combine(_dir, "nope.xml");
        Assert.That(() => MujocoModel.Load(path), Throws.TypeOf<MujocoException>().With.Message.Contains(path).And.Message.Contains("does not exist"));
    }

    [Test]
    public void Load_MalformedModel_CarriesMujocosMessage()
    {
        string path = Write("bad.xml", "<mujoco>\n  <worldbody>\n    <geom type=\"sphere\" size=\"oops\"/>\n  </worldbody>\n</mujoco>\n");
        Assert.That(() => MujocoModel.Load(path),
            Throws.TypeOf<MujocoException>().With.Message.Contains("could not load").And.Message.Contains("line 3"));
        string truncated = Write("cut.xml", "<mujoco>\n  <worldbody>\n    <body>\n");
        Assert.That(() => MujocoModel.Load(truncated), Throws.TypeOf<MujocoException>().With.Message.Contains("cut.xml"));
    }

    [Test]
    public void SimulationError_ThrowsInsteadOfExitingTheProcess()
    {
        // A stack big enough to compile the model but too small once three falling boxes land makes MuJoCo call
        // mju_error("Stack overflow"), which by default prints and calls exit(1). Through the shim it must surface as
        // an exception, every time, and leave the simulation reset and usable.
        string path = Write("tiny.xml",
            "<mujoco>\n  <size nstack=\"500\"/>\n  <worldbody>\n    <geom type=\"plane\" size=\"5 5 0.1\"/>\n" +
            "    <body pos=\"0 0 0.5\"><freejoint/><geom type=\"box\" size=\"0.1 0.1 0.1\"/></body>\n" +
            "    <body pos=\"0.5 0 0.5\"><freejoint/><geom type=\"box\" size=\"0.1 0.1 0.1\"/></body>\n" +
            "    <body pos=\"1 0 0.5\"><freejoint/><geom type=\"box\" size=\"0.1 0.1 0.1\"/></body>\n  </worldbody>\n</mujoco>\n");
        using var model = MujocoModel.Load(path);
        using var sim = new MujocoSimulation(model);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            MujocoException? error = null;
            int steps = 0;
            for (; steps < 2000 && error is null; steps++)
            {
                try { sim.Step(); }
                catch (MujocoException e) { error = e; }
            }
            Assert.That(error, Is.Not.Null, $"attempt {attempt}: no error in {steps} steps");
            Assert.That(error!.Message, Does.Contain("Stack overflow").And.Contain("mj_step").And.Contain("tiny.xml"));
            Assert.That(sim.Time, Is.Zero, "the state was reset after the error");
            Assert.That(sim.Qpos[2], Is.EqualTo(0.5), "the boxes are back at their start");
        }
    }

    [Test]
    public void UnknownName_NamesTheObjectAndFile()
    {
        using var model = MujocoModel.Load(Path.Combine(MujocoModels.Directory, "door_push.xml"));
        Assert.That(() => model.Id(MujocoObject.Site, "doorknob"),
            Throws.TypeOf<MujocoException>().With.Message.Contains("no site named 'doorknob'").And.Message.Contains("door_push.xml"));
        Assert.That(model.Id(MujocoObject.Site, "ee"), Is.GreaterThanOrEqualTo(0));
    }

    [Test]
    public void Mjcf_ArmMatchesArmModelKinematics()
    {
        // The safety filter predicts the end effector with ArmForwardKinematics(ArmModel.Iiwa14); the MJCF arm must be
        // that arm, or the workspace check would guard the wrong point.
        using var model = MujocoModel.Load(Path.Combine(MujocoModels.Directory, "pick_place.xml"));
        using var sim = new MujocoSimulation(model);
        var arm = ArmModel.Iiwa14();
        var dynamics = new ArmDynamics(arm);
        int ee = model.Id(MujocoObject.Site, "ee");
        var random = new Random(11);
        var q = new double[7];
        double worst = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            sim.Reset();
            for (int i = 0; i < 7; i++)
            {
                q[i] = arm.LowerLimits[i] + random.NextDouble() * (arm.UpperLimits[i] - arm.LowerLimits[i]);
                sim.Qpos[model.JointPositionAddress($"j{i + 1}")] = q[i];
            }
            sim.Forward();
            worst = Math.Max(worst, Vec3.Distance(sim.SitePosition(ee), dynamics.EndEffectorPositionAt(q)));
        }
        Assert.That(worst, Is.LessThan(1e-9), "largest end-effector mismatch (m)");
        for (int i = 0; i < 7; i++)
        {
            var (lower, upper) = model.JointRange($"j{i + 1}");
            Assert.That(lower, Is.EqualTo(arm.LowerLimits[i]).Within(1e-5), $"j{i + 1} lower limit");
            Assert.That(upper, Is.EqualTo(arm.UpperLimits[i]).Within(1e-5), $"j{i + 1} upper limit");
            Assert.That(model.ControlRange($"m{i + 1}").Upper, Is.EqualTo(arm.MaxTorques[i]), $"m{i + 1} torque limit");
            Assert.That(model.DofDamping[model.JointVelocityAddress($"j{i + 1}")], Is.EqualTo(arm.Damping[i] + arm.VelocityGains[i]),
                $"j{i + 1} damping = friction + velocity gain");
        }
    }

    [Test]
    public void Servo_TracksAVelocityCommand()
    {
        // The joint servo (bias feed-forward + implicit damping) tracks a constant command with no steady-state error,
        // as the built-in simulator's does.
        using var task = new DoorTask();
        var o = new float[task.ObservationSize];
        task.Reset(0, o);
        var action = new float[] { 0.4f, 0.5f, -0.3f, 0.2f, 0.6f, -0.4f, 0.8f };
        for (int k = 0; k < 6; k++) task.Step(action, o);
        var arm = task.Options.Model;
        for (int i = 0; i < 7; i++)
        {
            double expected = action[i] * task.Options.ActionScale * arm.MaxVelocities[i];
            Assert.That(task.Simulation.Qvel[i], Is.EqualTo(expected).Within(1e-4 * arm.MaxVelocities[i]), $"joint {i} velocity");
        }
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
