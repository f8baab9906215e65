namespace NafNative.Recording;

/// <summary>Reads what a viewer draws from one running task: its static scene once, its state once per frame. Each
/// task that can be recorded has one (NafNative.Sim's TaskCapture picks it); the episode loop
/// (<see cref="Learning.EpisodeRecorder"/>) does not know which task it drives.</summary>
/// <remarks>Not a hot path: a capture may allocate per frame. It reads the environment it was made for, on the thread
/// that steps it, between steps.</remarks>
public interface IEpisodeCapture
{
    /// <summary>The arm, the objects' shapes, the target's look and the names of the values each frame holds.</summary>
    RecordedScene Scene { get; }

    /// <summary>The task's state now, as frame data (<paramref name="time"/> s into the episode, after the step
    /// that earned <paramref name="reward"/>).</summary>
    RecordedFrame Capture(double time, float reward);
}
