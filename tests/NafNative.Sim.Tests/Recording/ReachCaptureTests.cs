using NafNative.Learning;
using NafNative.Naf;
using NafNative.Sim.Arm;
using NafNative.Sim.Recording;
using NafNative.Sim.Tasks;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Recording;

public sealed class ReachCaptureTests
{
    [Test]
    public void Record_Reach_SameEpisodesAsEvalAndTheSceneArmReproducesTheSimulatorsEndEffector()
    {
        using var task = new ReachTask();
        var trainer = new NafTrainer(new NafOptions { ObservationSize = task.ObservationSize, ActionSize = task.ActionSize, HiddenSizes = [16], Seed = 4 });
        const int episodes = 2, seed = 3;

        var recording = EpisodeRecorder.Record(task, TaskCapture.For(task), trainer.Network, trainer.Online.Values, episodes, seed, "c.naf", 17);
        var eval = Evaluation.Run(task, trainer.Network, trainer.Online.Values, episodes, seed);

        var model = ArmModel.Iiwa14();
        var arm = recording.Scene.Arm;
        var kinematics = new ArmForwardKinematics(model with
        {
            JointOffsets = arm.JointOffsets.Select(v => new Vec3(v[0], v[1], v[2])).ToArray(),
            JointAxes = arm.JointAxes.Select(v => new Vec3(v[0], v[1], v[2])).ToArray(),
            EndEffectorOffset = new Vec3(arm.EndEffectorOffset[0], arm.EndEffectorOffset[1], arm.EndEffectorOffset[2]),
        });
        double worst = 0;
        foreach (var frame in recording.Episodes.SelectMany(e => e.Frames))
        {
            var p = kinematics.EndEffectorPosition(frame.Joints);
            worst = Math.Max(worst, Math.Max(Math.Abs(p.X - frame.EndEffector[0]), Math.Max(Math.Abs(p.Y - frame.EndEffector[1]), Math.Abs(p.Z - frame.EndEffector[2]))));
        }
        Assert.Multiple(() =>
        {
            Assert.That(recording.Task, Is.EqualTo("reach"));
            Assert.That(recording.Updates, Is.EqualTo(17));
            Assert.That(recording.Episodes.Select(e => e.Seed), Is.EqualTo(new[] { Evaluation.EpisodeSeed(seed, 0), Evaluation.EpisodeSeed(seed, 1) }));
            Assert.That(recording.Episodes.Select(e => e.Return), Is.EqualTo(eval.Returns).Within(1e-9), "the very episodes naf eval counts");
            Assert.That(recording.Episodes.All(e => e.Frames.Count == task.MaxEpisodeSteps + 1), "Reset's frame and one per step");
            Assert.That(recording.Episodes[0].Frames[^1].Time, Is.EqualTo(task.MaxEpisodeSteps / task.ControlRate).Within(1e-9));
            Assert.That(arm.JointAxes.Select(a => (double)a[2]), Is.EqualTo(model.JointAxes.Select(a => a.Z)), "the simulator's axes");
            Assert.That(arm.JointOffsets.Select(a => (double)a[2]), Is.EqualTo(model.JointOffsets.Select(a => a.Z)).Within(1e-7));
            Assert.That(worst, Is.LessThan(1e-5), "forward kinematics of the scene's arm on the recorded angles lands on the recorded end effector (m)");
            Assert.That(recording.Scene.Bodies, Is.Empty);
            Assert.That(recording.Scene.Target.Radius, Is.EqualTo((float)task.Options.SuccessRadius));
            Assert.That(recording.Episodes[^1].Frames[^1].Values[0], Is.EqualTo((float)task.Distance), "the last episode's final distance");
        });
        Assert.DoesNotThrow(recording.Validate);
    }

    [Test]
    public void For_Pendulum_RefusedNamingTheTaskAndTheArmTasks()
    {
        using var task = new PendulumTask();
        var e = Assert.Throws<ArgumentException>(() => TaskCapture.For(task))!;
        Assert.That(e.Message, Does.Contain("pendulum").And.Contain("door-pull").And.Contain("pick-place"));
    }
}
