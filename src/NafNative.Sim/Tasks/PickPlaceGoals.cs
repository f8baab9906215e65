using NafNative.Environments;
using NafNative.Sim.Mujoco;

namespace NafNative.Sim.Tasks;

/// <summary>Hindsight relabelling for <see cref="PickPlaceTask"/>: the goal is the observation's target slot, the
/// achieved goal the cube's position (same scaling), and only the reward's goal terms,
/// −GoalWeight·d_goal + BonusWeight·max(0, 1 − d_goal/SuccessRadius), depend on the goal.</summary>
internal sealed class PickPlaceGoals(PickPlaceOptions options) : IGoalRelabeling
{
    private const int Goal = MujocoArmTask.CommonObservationSize - 3, Cube = MujocoArmTask.CommonObservationSize;

    public (int Offset, int Length) GoalSlice => (Goal, 3);

    public (int Offset, int Length) AchievedSlice => (Cube, 3);

    public float Relabel(float reward, ReadOnlySpan<float> nextObservation, ReadOnlySpan<float> goal)
    {
        ReadOnlySpan<float> cube = nextObservation.Slice(Cube, 3);
        return (float)(reward - GoalTerm(Distance(cube, nextObservation.Slice(Goal, 3))) + GoalTerm(Distance(cube, goal)));
    }

    // Metres: observed positions are (p − c) / PositionScale.
    private double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double x = a[0] - b[0], y = a[1] - b[1], z = a[2] - b[2];
        return Math.Sqrt(x * x + y * y + z * z) * options.PositionScale;
    }

    private double GoalTerm(double distance) =>
        -options.GoalWeight * distance + options.BonusWeight * Math.Max(0, 1 - distance / options.SuccessRadius);
}
