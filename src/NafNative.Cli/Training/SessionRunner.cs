using NafNative.Environments;
using NafNative.Learning;
using NafNative.Naf;

namespace NafNative.Cli.Training;

/// <summary>The CLI's side of a training run: the library's <see cref="TrainingSession"/> configured from a
/// <see cref="TrainConfig"/>, then the learning curves drawn from the run folder's metrics and evaluations.</summary>
public static class SessionRunner
{
    /// <summary>The session's summary, the backend in words, and the curves (or why they were not drawn).</summary>
    public sealed record Result(TrainingSession.Summary Session, string Backend, string CurveTimePath, string CurveStepsPath);

    /// <summary>One run of an experiment: a run folder at <paramref name="folder"/> (with robots.json for varied
    /// robots), trained on the simulated tasks with progress lines on <paramref name="error"/>.</summary>
    public static (RunDirectory Run, TrainingSession.Summary Summary) RunExperiment(TrainConfig config, string folder, bool replace,
        TextWriter error, CancellationToken cancellation)
    {
        var run = RunDirectory.CreateNew(folder, config, replace);
        run.WriteRobots(config.SimulatedRobots());
        return (run, Run(config, run, config.CreateSimulatedTask, null, cancellation, new ProgressPrinter(error).Print).Session);
    }

    /// <inheritdoc cref="TrainingSession.Run"/>
    public static Result Run(TrainConfig config, RunDirectory run, Func<string, int, IEnvironment> createTask, NafTrainer? resumeFrom,
        CancellationToken cancellation, Action<MetricsRow>? progress = null, Action<string>? warn = null, IRemoteWorkers? remote = null)
    {
        Tuning.KernelTuning.Apply(warn); // the GEMM blocking for this CPU, before the first update
        // The settings go into the run's TensorBoard event file as text, exactly as config.json holds them.
        var options = config.TrainingOptions() with { Settings = File.ReadAllText(run.ConfigPath) };
        var summary = new TrainingSession(options, run.Files, createTask, remote).Run(resumeFrom, cancellation, progress, warn);
        string backend = config.TrainingOptions().Device is null ? $"cpu: {summary.Device}" : $"{config.Backend}: {summary.Device}";
        // Interrupted (Ctrl-C, SIGTERM): the curves wait for a run that finishes its budget (naf train --resume).
        // They are a convenience on top of metrics.csv/evals.csv: a machine without the native plotting library still
        // gets its trained run, and the reason is reported instead of the paths.
        string time, steps;
        if (cancellation.IsCancellationRequested && summary.Interrupted)
        {
            time = steps = "(not drawn: interrupted; they are drawn when a run finishes its budget)";
        }
        else
        {
            try
            {
                (time, steps) = LearningCurve.Write(run.Path, remote is null ? $"NAF on {config.Task}, {config.Workers} workers" : $"NAF on {config.Task}, {config.Workers} + remote workers", run.Files.ReadMetrics(), run.Files.ReadEvals());
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or IOException)
            {
                time = steps = $"(not drawn: {e.GetType().Name}: {e.Message})";
            }
        }
        return new Result(summary, backend, time, steps);
    }
}
