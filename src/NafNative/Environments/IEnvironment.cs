namespace NafNative.Environments;

/// <summary>One robot's task, simulated or real, in the Gymnasium convention RL users know.</summary>
/// <remarks>
/// <para>Actions are in [−1, 1] per dimension and are scaled to the robot's units by the task (DESIGN). Observations
/// follow the paper: joint angles, joint velocities, end-effector position and velocity, target position, plus
/// task extras the implementation documents.</para>
/// <para>One instance is driven by one thread (its worker); implementations need not be thread-safe. Step and Reset
/// write into caller buffers and allocate nothing.</para>
/// </remarks>
public interface IEnvironment : IDisposable
{
    /// <summary>A short identifier, e.g. "reach" or "pendulum".</summary>
    string Name { get; }

    int ObservationSize { get; }
    int ActionSize { get; }

    /// <summary>Control steps per second of simulated (or real) time; real-time pacing runs at this rate.</summary>
    double ControlRate { get; }

    /// <summary>Steps after which an episode is truncated (a time limit, not a terminal state).</summary>
    int MaxEpisodeSteps { get; }

    /// <summary>Starts an episode: a new initial state (and target) drawn from <paramref name="seed"/>.</summary>
    void Reset(int seed, Span<float> observation);

    /// <summary>Applies one action (length <see cref="ActionSize"/>, each in [−1, 1]) for one control period.</summary>
    StepResult Step(ReadOnlySpan<float> action, Span<float> observation);

    /// <summary>The action the robot actually executed in the last <see cref="Step"/>, in the same [−1, 1] units, when a
    /// safety filter changed the command (<see cref="StepResult.SafetyIntervened"/>); the learner stores this one, so
    /// a transition pairs its outcome with the action that caused it. Empty (the default) when the task does not
    /// report it: the commanded action is stored. Valid until the next Step or Reset.</summary>
    ReadOnlySpan<float> ExecutedAction => ReadOnlySpan<float>.Empty;

    /// <summary>How to score this task's transitions against another goal (hindsight relabelling), or null (the
    /// default) where the task has no goal in its observation that its reward separates out.</summary>
    IGoalRelabeling? GoalRelabeling => null;

    /// <summary>Whether the episode that just ended counts as a success (the task's criterion, e.g. within 5 cm).</summary>
    bool IsSuccess { get; }
}

/// <summary>What one <see cref="IEnvironment.Step"/> returns besides the observation.</summary>
/// <param name="Reward">Reward for the transition.</param>
/// <param name="Terminated">The episode reached a terminal state: the learner does not bootstrap past it.</param>
/// <param name="Truncated">The episode was cut by the time limit: the learner still bootstraps.</param>
/// <param name="SafetyIntervened">The task's safety filter changed the commanded motion this step (counted in the
/// run's metrics).</param>
/// <param name="Interventions">Which of the filter's rules acted (velocity clamp, joint margin, workspace box, fault),
/// counted per rule in the run's metrics so a user sees which limit binds.</param>
/// <param name="Discard">The observation is not an outcome of the action (e.g. the physics engine found the state
/// unstable and reset it): the worker stores no transition for this step, counts it, and the episode ends (such a step
/// also sets Truncated, not Terminated, since nothing about the task ended).</param>
public readonly record struct StepResult(float Reward, bool Terminated, bool Truncated, bool SafetyIntervened = false, bool Discard = false,
    Safety.SafetyInterventions Interventions = Safety.SafetyInterventions.None)
{
    public bool Done => Terminated || Truncated || Discard;
}
