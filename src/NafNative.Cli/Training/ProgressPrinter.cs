using NafNative.Learning;
namespace NafNative.Cli.Training;

/// <summary>Prints one progress line per metrics row to stderr (stdout stays for results).</summary>
internal sealed class ProgressPrinter(TextWriter error)
{
    public void Print(MetricsRow row) => error.WriteLine(
        $"[{row.WallSeconds,7:F1} s] steps {row.EnvSteps,9} ({row.StepsPerS,7:F0}/s)  updates {row.Updates,9} ({row.UpdatesPerS,6:F0}/s)  " +
        $"replay {row.ReplayFill,8}  episodes {row.Episodes,6}  return {row.MeanReturn,8:F2}  success {row.SuccessRate,5:P0}  " +
        $"staleness {row.Staleness,6:F0}  loss {row.Loss,9:G4}");

    public void Print(Remote.Server.RemoteWorkerRow w) => error.WriteLine(
        $"  remote {w.Worker,3} {w.Name} ({w.Peer}): steps {w.Steps,9} ({w.StepsPerS,7:F0}/s)  batches {w.Batches,7}  duplicates {w.DuplicateBatches,4}  " +
        $"episodes {w.Episodes,6}  staleness {w.Staleness,6:F0}  last seen {w.LastSeenSeconds,5:F1} s ago");
}
