using System.CommandLine;
using NafNative.Cli.Bench;
using NafNative.Interop.Onnx;

namespace NafNative.Cli.Commands;

/// <summary><c>naf export</c>: a run's greedy policy μ(x) as an ONNX model that runs without this engine.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var runOption = new Option<string>("--run") { Description = "Run folder written by naf train.", Required = true };
        var onnx = new Option<string>("--onnx") { Description = "Path of the ONNX model to write (observation [batch, obs] -> action [batch, act]).", Required = true };
        var which = new Option<string>("--checkpoint") { Description = "best (kept by the periodic evaluation; the default when present) or latest.", DefaultValueFactory = _ => "best" };
        which.AcceptOnlyFromAmong("best", "latest");
        var json = CommonOptions.Json();
        var command = new Command("export", "Export a trained run's greedy policy as an ONNX model.") { runOption, onnx, which, json };
        command.SetAction(parse =>
        {
            try
            {
                var (trainer, checkpoint) = RunCommand.LoadPolicy(parse.GetValue(runOption)!, parse.GetValue(which)!);
                string path = Path.GetFullPath(parse.GetValue(onnx)!);
                string? folder = Path.GetDirectoryName(path);
                if (folder is not null && !Directory.Exists(folder))
                    throw new ArgumentException($"--onnx {parse.GetValue(onnx)}: folder {folder} does not exist.");
                var metadata = new Dictionary<string, string>
                {
                    ["naf.checkpoint"] = checkpoint,
                    ["naf.updates"] = trainer.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                OnnxPolicy.Save(trainer, path, metadata);
                var o = trainer.Options;
                if (parse.GetValue(json))
                    JsonOutput.Write(parse.InvocationConfiguration.Output, new ExportJson(path, checkpoint, trainer.Steps, o.ObservationSize, o.ActionSize));
                else
                    parse.InvocationConfiguration.Output.WriteLine($"{path}: greedy policy of {checkpoint} ({trainer.Steps} updates), " +
                        $"{OnnxPolicy.InputName} [batch, {o.ObservationSize}] -> {OnnxPolicy.OutputName} [batch, {o.ActionSize}], ONNX opset {OnnxPolicy.Opset}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record ExportJson(string Onnx, string Checkpoint, long Updates, int ObservationSize, int ActionSize);
}
