namespace NafNative.Environments;

/// <summary>A task whose goal is part of its observation and whose reward can be scored against another goal:
/// what hindsight experience replay (Andrychowicz et al. 2017) needs to store a transition again as if the goal had
/// been one the episode actually reached.</summary>
/// <remarks>The goal is fixed for an episode, so it sits in the same slice of the observation and of the next
/// observation. Implementations are pure and allocate nothing.</remarks>
public interface IGoalRelabeling
{
    /// <summary>Where the desired goal sits in an observation (offset, length).</summary>
    (int Offset, int Length) GoalSlice { get; }

    /// <summary>Where the achieved goal (in the desired goal's encoding) sits in an observation: the thing the goal is
    /// about, e.g. the cube's position.</summary>
    (int Offset, int Length) AchievedSlice { get; }

    /// <summary>The reward the task would have paid for the transition that ended in <paramref name="nextObservation"/>
    /// (which still holds the original goal) had the goal been <paramref name="goal"/>, given it paid
    /// <paramref name="reward"/>.</summary>
    float Relabel(float reward, ReadOnlySpan<float> nextObservation, ReadOnlySpan<float> goal);
}
