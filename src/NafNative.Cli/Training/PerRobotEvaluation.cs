using NafNative.Cli.Bench;
using NafNative.Cli.Commands;
using NafNative.Learning;

namespace NafNative.Cli.Training;

/// <summary><c>naf eval --per-robot</c>: a run's greedy policy on each simulated worker's own robot, and on robots
/// drawn from the same ranges that no worker trained on (held out: worker indices from <see cref="HeldOutFirst"/>).</summary>
public static class PerRobotEvaluation
{
    /// <summary>Index of the first held-out robot: far above any worker count, so never a training robot.</summary>
    public const int HeldOutFirst = 1000;

    public sealed record Row(string Robot, int Index, bool HeldOut, double SuccessRate, int Successes, int Episodes, double MeanReturn,
        int LatencySteps, double MaxJointOffsetDeg);

    public static IReadOnlyList<Row> Run(TrainConfig config, string runPath, string which, int episodes, int seed, int heldOut)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(heldOut);
        var (trainer, checkpoint) = RunCommand.LoadPolicy(runPath, which);
        var indices = Enumerable.Range(config.Robots.Length, config.Workers - config.Robots.Length).Select(i => (i, false))
            .Concat(Enumerable.Range(HeldOutFirst, heldOut).Select(i => (i, true)));
        var rows = new List<Row>();
        foreach (var (index, held) in indices)
        {
            using var environment = config.CreateSimulatedTask(config.Task, index);
            RunCommand.CheckFits(trainer, environment, checkpoint);
            var result = Evaluation.Run(environment, trainer.Network, trainer.Online.Values, episodes, seed);
            var robot = environment is Sim.Variation.VariedEnvironment varied ? varied.Robot : null;
            rows.Add(new Row(held ? $"held-out {index - HeldOutFirst}" : $"worker {index}", index, held, result.SuccessRate, result.Successes,
                result.Episodes, result.MeanReturn, robot?.LatencySteps ?? 0,
                robot is null ? 0 : robot.JointOffsetsRad.Max(Math.Abs) * 180 / Math.PI));
        }
        return rows;
    }

    /// <summary>The policy at each variant of <paramref name="suite"/> (door or cube; nominal robot), one row per variant.</summary>
    public static IReadOnlyList<Row> RunSuite(TrainConfig config, string runPath, string which, int episodes, int seed, string suite)
    {
        var (trainer, checkpoint) = RunCommand.LoadPolicy(runPath, which);
        var variants = Sim.TaskCatalog.Variants(config.Task, suite);
        var rows = new List<Row>();
        for (int i = 0; i < variants.Length; i++)
        {
            using var environment = variants[i].CreateTask();
            RunCommand.CheckFits(trainer, environment, checkpoint);
            var result = Evaluation.Run(environment, trainer.Network, trainer.Online.Values, episodes, seed);
            rows.Add(new Row($"{suite}/{variants[i].Name}", i, config.Suite != suite, result.SuccessRate, result.Successes, result.Episodes,
                result.MeanReturn, 0, 0));
        }
        return rows;
    }

    public static void Write(TextWriter output, IReadOnlyList<Row> rows, bool json)
    {
        if (json)
        {
            JsonOutput.Write(output, rows);
            return;
        }
        foreach (var r in rows)
            output.WriteLine($"{r.Robot,-12} success {r.Successes}/{r.Episodes} ({r.SuccessRate:P0}), mean return {r.MeanReturn:F3} " +
                $"(latency {r.LatencySteps} steps, largest zero offset {r.MaxJointOffsetDeg:F2}°)");
        foreach (var group in rows.GroupBy(r => r.HeldOut))
        {
            var rates = group.Select(r => r.SuccessRate).ToArray();
            output.WriteLine($"{(group.Key ? "held-out" : "trained on"),-12} mean {rates.Average():P0}, min {rates.Min():P0}, max {rates.Max():P0} over {rates.Length} robots");
        }
    }
}
