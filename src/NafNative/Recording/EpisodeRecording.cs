namespace NafNative.Recording;

/// <summary>Greedy episodes of one trained policy on one task, frame by frame, with the scene to draw them in: what
/// <c>naf record</c> writes (<see cref="RecordingFile"/>) and <c>naf view</c> replays.</summary>
/// <param name="Task">The task's name (reach, door-push, door-pull, pick-place).</param>
/// <param name="Checkpoint">The checkpoint whose greedy policy acted.</param>
/// <param name="Updates">Learner updates in that checkpoint.</param>
/// <param name="ControlRate">Control steps per second: frame k of an episode is at time k / ControlRate.</param>
/// <param name="Scene">What does not change during an episode: the arm's kinematics, the objects' shapes, the names of
/// the per-frame values.</param>
/// <param name="Episodes">The episodes, in the order they ran.</param>
public sealed record EpisodeRecording(string Task, string Checkpoint, long Updates, double ControlRate, RecordedScene Scene,
    IReadOnlyList<RecordedEpisode> Episodes)
{
    /// <summary>Throws <see cref="FormatException"/> naming the first field that does not fit the scene (a frame with
    /// the wrong number of joints, bodies or values, a non-finite number, an episode without frames).</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Task)) throw new FormatException("task is empty.");
        if (!(ControlRate > 0) || !double.IsFinite(ControlRate)) throw new FormatException($"control_rate {ControlRate} must be positive.");
        if (Scene is null) throw new FormatException("scene is missing.");
        Scene.Validate();
        if (Episodes is null || Episodes.Count == 0) throw new FormatException("episodes: the recording holds none.");
        for (int e = 0; e < Episodes.Count; e++)
        {
            var episode = Episodes[e] ?? throw new FormatException($"episodes[{e}] is null.");
            if (episode.Frames is null || episode.Frames.Count == 0) throw new FormatException($"episodes[{e}] has no frames.");
            for (int f = 0; f < episode.Frames.Count; f++)
            {
                var frame = episode.Frames[f] ?? throw new FormatException($"episodes[{e}].frames[{f}] is null.");
                string at = $"episodes[{e}].frames[{f}]";
                Check(frame.Joints, Scene.Arm.JointAxes.Count, $"{at}.joints");
                Check(frame.EndEffector, 3, $"{at}.end_effector");
                Check(frame.Target, 3, $"{at}.target");
                Check(frame.Bodies, RecordedFrame.PoseSize * Scene.Bodies.Count, $"{at}.bodies");
                Check(frame.Values, Scene.Values.Count, $"{at}.values");
                if (!double.IsFinite(frame.Time) || (f > 0 && frame.Time < episode.Frames[f - 1].Time))
                    throw new FormatException($"{at}.time {frame.Time} is not finite or goes back in time.");
            }
        }
    }

    private static void Check(float[]? values, int length, string field)
    {
        if (values is null || values.Length != length)
            throw new FormatException($"{field} has {values?.Length.ToString() ?? "no"} numbers; the scene needs {length}.");
        foreach (float v in values)
            if (!float.IsFinite(v)) throw new FormatException($"{field} holds {v}, not a finite number.");
    }
}

/// <summary>One greedy episode.</summary>
/// <param name="Seed">The seed its Reset got (the same seeds <c>naf eval</c> uses, episode by episode).</param>
/// <param name="Success">The task's success criterion at the episode's end.</param>
/// <param name="Return">Sum of the rewards.</param>
/// <param name="Frames">The state after Reset, then after every step.</param>
public sealed record RecordedEpisode(int Seed, bool Success, double Return, IReadOnlyList<RecordedFrame> Frames);

/// <summary>The state of the scene at one instant.</summary>
/// <param name="Time">Seconds since the episode started.</param>
/// <param name="Joints">Arm joint angles (rad), in the order of <see cref="ArmDescription.JointAxes"/>.</param>
/// <param name="EndEffector">End-effector position (m, world) as the simulator computed it: a viewer that runs the
/// forward kinematics of <see cref="RecordedScene.Arm"/> on <see cref="Joints"/> must land here.</param>
/// <param name="Target">The task's target point (m, world): reach's target, the door handle's grip point, the cube's goal.</param>
/// <param name="Bodies">World pose of each of <see cref="RecordedScene.Bodies"/>: x, y, z (m), then a unit quaternion
/// w, x, y, z; <see cref="PoseSize"/> numbers per body.</param>
/// <param name="Values">The task's values (<see cref="RecordedScene.Values"/>: door angle, finger openings, …).</param>
/// <param name="Reward">The reward of the step that led here (0 for the first frame).</param>
public sealed record RecordedFrame(double Time, float[] Joints, float[] EndEffector, float[] Target, float[] Bodies, float[] Values, float Reward)
{
    public const int PoseSize = 7;
}
