using System.CommandLine;
using NafNative.Cli.Robots;
using NafNative.Cli.Training;
using NafNative.Hardware.Robots;
using NafNative.Learning;
using NafNative.Naf;

namespace NafNative.Cli.Commands;

/// <summary><c>naf run</c>: a trained run's greedy policy on a robot, episode by episode, with the loop's timing.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var robotFile = new Option<string>("--robot") { Description = "Robot file of the arm to drive.", Required = true };
        var runOption = new Option<string>("--run") { Description = "Run folder written by naf train.", Required = true };
        var episodes = CommonOptions.PositiveInt("--episodes", "Episodes to run.", 5);
        var which = new Option<string>("--checkpoint") { Description = "best (the default when present) or latest.", DefaultValueFactory = _ => "best" };
        which.AcceptOnlyFromAmong("best", "latest");
        var timeScale = RobotTimeScale();
        var command = new Command("run", "Run a trained policy on a robot through the safety filter and watchdog; prints cycle time, jitter and interventions.")
            { robotFile, runOption, episodes, which, timeScale };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            using var interrupt = new CtrlC();
            try
            {
                var (trainer, checkpoint) = LoadPolicy(parse.GetValue(runOption)!, parse.GetValue(which)!);
                var robot = RobotSetup.Load(parse.GetValue(robotFile)!);
                using var task = RobotSetup.OpenReach(robot, parse.GetValue(timeScale));
                CheckFits(trainer, task, checkpoint);
                using var stop = interrupt.Token.Register(() => task.Controller.RequestStop("interrupted (Ctrl-C)"));
                stdout.WriteLine($"robot {robot.Name} on {robot.Port}: greedy policy of {checkpoint} ({trainer.Steps} updates), {robot.ControlRate} Hz, " +
                    (task.Controller.RealtimePriority > 0 ? $"control thread SCHED_FIFO {task.Controller.RealtimePriority}" : "control thread under the normal scheduler (no root or CAP_SYS_NICE)"));
                stdout.WriteLine("  episode  success  distance(m)  return   cycle p50/p99/max (ms)  jitter p50/p99/max (ms)  overruns  filter interventions");
                int successes = 0, recoveries = 0;
                int count = parse.GetValue(episodes);
                for (int e = 0; e < count; e++)
                {
                    var result = Evaluation.Run(task, trainer.Network, trainer.Online.Values, 1, seed: 100 + e);
                    // A recovery (robot file recover_between_episodes) happens in the Reset that starts an episode.
                    if (task.Controller.Recoveries != recoveries)
                    {
                        recoveries = task.Controller.Recoveries;
                        stdout.WriteLine($"  recovered before episode {e + 1} (the previous one ended at a safety stop): {task.LastRecovery}");
                    }
                    successes += result.Successes;
                    var c = task.Controller.Cycles.Read();
                    var s = task.Controller.Safety;
                    stdout.WriteLine($"  {e + 1,7}  {(result.Successes == 1 ? "yes" : "no"),-7}  {task.Distance,11:F3}  {result.MeanReturn,6:F2}   " +
                        $"{c.CycleP50,5:F2} / {c.CycleP99,5:F2} / {c.CycleMax,6:F2}      {c.JitterP50,5:F2} / {c.JitterP99,5:F2} / {c.JitterMax,6:F2}     {c.Overruns,6}  " +
                        $"{s.VelocityClamps + s.JointLimitStops + s.WorkspaceStops + s.Faults} of {s.Commands} (clamp {s.VelocityClamps}, joint {s.JointLimitStops}, workspace {s.WorkspaceStops}, fault {s.Faults})");
                }
                stdout.WriteLine($"success {successes}/{count}");
                return 0;
            }
            catch (RobotStoppedException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return e.Reason == RobotStopReason.Requested && interrupt.Token.IsCancellationRequested ? 130 : 3;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or TimeoutException or PlatformNotSupportedException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    public static Option<double> RobotTimeScale() => new("--robot-time-scale")
    {
        Description = "Simulated robots only (naf sim-robot --time-scale): the simulator runs this many times faster than real time and the control loop keeps pace. 1 for real arms.",
        DefaultValueFactory = _ => 1,
    };

    public static (NafTrainer Trainer, string Checkpoint) LoadPolicy(string runPath, string which)
    {
        var run = RunDirectory.Open(runPath);
        string checkpoint = which == "best" && File.Exists(run.BestCheckpointPath) ? run.BestCheckpointPath : run.CheckpointPath;
        return (NafCheckpoint.Load(checkpoint), checkpoint);
    }

    public static void CheckFits(NafTrainer trainer, Environments.IEnvironment environment, string checkpoint)
    {
        if (trainer.Options.ObservationSize != environment.ObservationSize || trainer.Options.ActionSize != environment.ActionSize)
            throw new InvalidDataException($"{checkpoint}: network obs {trainer.Options.ObservationSize}/act {trainer.Options.ActionSize} " +
                $"does not fit {environment.Name} (obs {environment.ObservationSize}/act {environment.ActionSize}).");
    }
}
