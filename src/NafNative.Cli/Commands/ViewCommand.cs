using System.CommandLine;
using System.Text.Json;
using NafNative.Cli.Training;
using NafNative.Cli.View;
using NafNative.Recording;

namespace NafNative.Cli.Commands;

/// <summary><c>naf view</c>: serves the replay page of a run's recording and learning curves on 127.0.0.1 until
/// Ctrl-C.</summary>
internal static class ViewCommand
{
    public const int DefaultPort = 8765;

    public static Command Create()
    {
        var runOption = new Option<string>("--run") { Description = "Run folder written by naf train (its evals.csv and metrics.csv give the curves).", Required = true };
        var recordingOption = new Option<string?>("--recording") { Description = $"Recording written by naf record; default {RecordingFile.DefaultName} in the run folder." };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (loopback only); 0 picks a free one.", DefaultValueFactory = _ => DefaultPort };
        port.Validators.Add(r =>
        {
            int p = r.GetValueOrDefault<int>();
            if (p is < 0 or > 65535) r.AddError($"--port must be 0–65535, got {p}.");
        });
        var command = new Command("view", "Serve a local web page (127.0.0.1 only) that replays a run's recorded episodes in 3D, with its learning curves.")
            { runOption, recordingOption, port };
        command.SetAction(async (parse, cancellation) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            using var interrupt = new CtrlC();
            try
            {
                var run = RunDirectory.Open(parse.GetValue(runOption)!);
                var config = run.ReadConfig();
                string path = Path.GetFullPath(parse.GetValue(recordingOption) ?? Path.Combine(run.Path, RecordingFile.DefaultName));
                if (!File.Exists(path))
                    throw new FileNotFoundException($"recording {path}: no such file; make one with: naf record --run {parse.GetValue(runOption)} --episodes 5" +
                        (parse.GetValue(recordingOption) is null ? "" : $" --out {parse.GetValue(recordingOption)}"));
                var recording = RecordingFile.Read(path);
                if (recording.Task != config.Task)
                    throw new InvalidDataException($"recording {path} holds {recording.Task} episodes, but run {run.Path} trained {config.Task}.");
                var content = new ReplayServer.Content(ReplayPage.Load(), JsonSerializer.SerializeToUtf8Bytes(recording, RecordingFile.Json),
                    JsonSerializer.SerializeToUtf8Bytes(new RunJson(Path.GetFileName(run.Path), run.Path, config.Task, path), RecordingFile.Json),
                    () => RunCurves.Json(run.Path));
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, interrupt.Token);
                await using var server = await ReplayServer.StartAsync(parse.GetValue(port), content, stop.Token);
                stdout.WriteLine($"naf view: {server.Address} replays {recording.Episodes.Count} {recording.Task} episodes from {path} (Ctrl-C stops)");
                await stdout.FlushAsync(CancellationToken.None);
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record RunJson(string Name, string Path, string Task, string Recording);
}
