using NafNative.Environments;
using NafNative.Replay;

namespace NafNative.Learning;

/// <summary>Hindsight experience replay's "future" strategy (Andrychowicz et al. 2017) for one worker: keeps the
/// episode's transitions and, when it ends, stores each again <c>k</c> times with the goal replaced by one the episode
/// reached at that step or later, and the reward rescored against it.</summary>
/// <remarks>
/// <para>The relabelled copies go into the same ring as the real ones, so the learner's updates-per-insert ratio
/// counts them: with k = 4 the learner does five updates per environment step.</para>
/// <para>With n-step returns (<c>returnSteps</c> &gt; 1) each copy carries the n-step return of the relabelled rewards
/// and bootstraps from the step n later, as <see cref="MultiStepReturns"/> does for the real transitions.</para>
/// <para>Buffers grow (doubling) to the longest episode seen and are then reused: no allocation per step.</para>
/// <para>Thread-safety: owned by one worker thread.</para>
/// </remarks>
public sealed class HindsightRelabeler
{
    private readonly IGoalRelabeling _goals;
    private readonly int _perStep, _observationSize, _actionSize, _returnSteps;
    private readonly float _discount, _rewardScale;
    private readonly Random _random;
    private readonly float[] _scratchObservation, _scratchNext;
    private float[] _observations, _actions, _rewards, _next;
    private bool[] _terminated, _truncated;
    private int _count;

    /// <param name="goals">The task's relabelling rule.</param>
    /// <param name="perStep">Relabelled copies per real transition (k ≥ 1; HER's paper found 4 best).</param>
    /// <param name="observationSize">The task's observation length (the goal slices must lie inside it).</param>
    /// <param name="actionSize">The task's action length.</param>
    /// <param name="seed">Seeds the choice of future steps.</param>
    /// <param name="returnSteps">n of the n-step return each copy carries (1: one-step transitions).</param>
    /// <param name="discount">γ of the n-step return (unused when <paramref name="returnSteps"/> is 1).</param>
    /// <param name="rewardScale">Multiplies each copy's return, after relabelling (the task rescores its own scale).</param>
    public HindsightRelabeler(IGoalRelabeling goals, int perStep, int observationSize, int actionSize, int seed,
        int returnSteps = 1, float discount = 1f, float rewardScale = 1f)
    {
        if (!(float.IsFinite(rewardScale) && rewardScale > 0f))
            throw new ArgumentOutOfRangeException(nameof(rewardScale), rewardScale, $"HindsightRelabeler: rewardScale must be positive and finite, got {rewardScale}.");
        _rewardScale = rewardScale;
        if (returnSteps is < 1 or > MultiStepReturns.MaxSteps)
            throw new ArgumentOutOfRangeException(nameof(returnSteps), returnSteps, $"HindsightRelabeler: returnSteps must be in [1, {MultiStepReturns.MaxSteps}], got {returnSteps}.");
        if (!(discount >= 0f && discount <= 1f))
            throw new ArgumentOutOfRangeException(nameof(discount), discount, $"HindsightRelabeler: discount must be in [0, 1], got {discount}.");
        _returnSteps = returnSteps;
        _discount = discount;
        ArgumentNullException.ThrowIfNull(goals);
        ArgumentOutOfRangeException.ThrowIfLessThan(perStep, 1);
        var (g, gl) = goals.GoalSlice;
        var (a, al) = goals.AchievedSlice;
        if (gl <= 0 || gl != al || g < 0 || a < 0 || g + gl > observationSize || a + al > observationSize)
            throw new ArgumentException($"HindsightRelabeler: goal slice ({g}, {gl}) and achieved slice ({a}, {al}) must be the same " +
                $"non-empty length inside the observation of {observationSize}.", nameof(goals));
        _goals = goals;
        _perStep = perStep;
        _observationSize = observationSize;
        _actionSize = actionSize;
        _random = new Random(seed);
        _scratchObservation = new float[observationSize];
        _scratchNext = new float[observationSize];
        const int initial = 256;
        _observations = new float[initial * observationSize];
        _next = new float[initial * observationSize];
        _actions = new float[initial * actionSize];
        _rewards = new float[initial];
        _terminated = new bool[initial];
        _truncated = new bool[initial];
    }

    /// <summary>Transitions kept from the running episode.</summary>
    public int Count => _count;

    /// <summary>Forgets the running episode (at an episode's start).</summary>
    public void Clear() => _count = 0;

    /// <summary>Keeps one real transition of the running episode (the one just stored in the ring).</summary>
    public void Add(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward, ReadOnlySpan<float> next,
        bool terminated, bool truncated)
    {
        if (_count == _rewards.Length) Grow();
        int t = _count++;
        observation.CopyTo(_observations.AsSpan(t * _observationSize, _observationSize));
        action.CopyTo(_actions.AsSpan(t * _actionSize, _actionSize));
        next.CopyTo(_next.AsSpan(t * _observationSize, _observationSize));
        _rewards[t] = reward;
        _terminated[t] = terminated;
        _truncated[t] = truncated;
    }

    /// <summary>Stores every kept transition <c>k</c> times into <paramref name="ring"/>, each with the goal achieved
    /// at a uniformly drawn step at or after it, and clears; returns how many it stored.</summary>
    public int Flush(ReplayRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        var (goalAt, length) = _goals.GoalSlice;
        int achievedAt = _goals.AchievedSlice.Offset, stored = 0;
        for (int t = 0; t < _count; t++)
        {
            // The copy's window: steps t … last (one step, or n where the episode lasts that long).
            int last = Math.Min(t + _returnSteps, _count) - 1;
            ReadOnlySpan<float> observation = _observations.AsSpan(t * _observationSize, _observationSize);
            ReadOnlySpan<float> next = _next.AsSpan(last * _observationSize, _observationSize);
            // Each copy differs from the transition only in the goal slice, which every copy overwrites.
            observation.CopyTo(_scratchObservation);
            next.CopyTo(_scratchNext);
            for (int k = 0; k < _perStep; k++)
            {
                int future = t + _random.Next(_count - t);
                ReadOnlySpan<float> goal = _next.AsSpan(future * _observationSize + achievedAt, length);
                float reward = 0f, scale = 1f;
                for (int i = t; i <= last; i++)
                {
                    reward += scale * _goals.Relabel(_rewards[i], _next.AsSpan(i * _observationSize, _observationSize), goal);
                    if (i < last) scale *= _discount;
                }
                goal.CopyTo(_scratchObservation.AsSpan(goalAt, length));
                goal.CopyTo(_scratchNext.AsSpan(goalAt, length));
                // Weight γᵏ⁻¹ (k = last − t + 1): the trainer bootstraps with γᵏ; 1 for one-step copies, as before.
                ring.Insert(_scratchObservation, _actions.AsSpan(t * _actionSize, _actionSize), _rewardScale * reward, _scratchNext,
                    _terminated[last] ? 0f : scale, _truncated[last]);
                stored++;
            }
        }
        _count = 0;
        return stored;
    }

    private void Grow()
    {
        int capacity = _rewards.Length * 2;
        Array.Resize(ref _observations, capacity * _observationSize);
        Array.Resize(ref _next, capacity * _observationSize);
        Array.Resize(ref _actions, capacity * _actionSize);
        Array.Resize(ref _rewards, capacity);
        Array.Resize(ref _terminated, capacity);
        Array.Resize(ref _truncated, capacity);
    }
}
