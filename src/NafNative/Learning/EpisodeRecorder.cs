using NafNative.Environments;
using NafNative.Naf;
using NafNative.Recording;

namespace NafNative.Learning;

/// <summary>Runs a policy's greedy episodes, as <see cref="Evaluation"/> does and with the same seeds, and keeps every
/// frame a viewer needs to replay them (<c>naf record</c>).</summary>
public static class EpisodeRecorder
{
    /// <summary>Records <paramref name="episodes"/> greedy episodes of <paramref name="network"/> with
    /// <paramref name="parameters"/> on <paramref name="environment"/>, read through <paramref name="capture"/> (made
    /// for that environment).</summary>
    public static EpisodeRecording Record(IEnvironment environment, IEpisodeCapture capture, NafNetwork network, ReadOnlySpan<float> parameters,
        int episodes, int seed, string checkpoint, long updates)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        var policy = new NafPolicy(network);
        float[] observation = new float[environment.ObservationSize], action = new float[environment.ActionSize];
        double period = 1 / environment.ControlRate;
        var recorded = new List<RecordedEpisode>(episodes);
        for (int e = 0; e < episodes; e++)
        {
            int episodeSeed = Evaluation.EpisodeSeed(seed, e);
            environment.Reset(episodeSeed, observation);
            var frames = new List<RecordedFrame>(environment.MaxEpisodeSteps + 1) { capture.Capture(0, 0) };
            double total = 0;
            StepResult result;
            do
            {
                policy.Greedy(parameters, observation, action);
                result = environment.Step(action, observation);
                total += result.Reward;
                frames.Add(capture.Capture(frames.Count * period, result.Reward));
            }
            while (!result.Done);
            recorded.Add(new RecordedEpisode(episodeSeed, environment.IsSuccess, total, frames));
        }
        return new EpisodeRecording(environment.Name, checkpoint, updates, environment.ControlRate, capture.Scene, recorded);
    }
}
