using NafNative.Replay;

namespace NafNative.Learning;

/// <summary>n-step returns for one worker (Sutton 1988; Mnih et al. 2016; Hessel et al. 2018): holds the episode's
/// last n steps and stores transition t as (xₜ, uₜ, Σᵢ₌₀ᵏ⁻¹ γⁱ rₜ₊ᵢ, xₜ₊ₖ) with k = n, or fewer where the episode
/// ended first, bootstrapping with γᵏ (none after a terminal state).</summary>
/// <remarks>
/// <para>The trainers' target y = r + γ·(1 − terminated)·V′(x′) is unchanged: each transition goes in with the weighted
/// <see cref="ReplayRing.Insert(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, float, bool)"/>
/// at weight γᵏ⁻¹ (0 when terminal). With n = 1 every transition is stored exactly as the one-step path stores it.</para>
/// <para>Transition t enters the ring n − 1 steps after it happened; <see cref="EndEpisode"/> stores the rest. The
/// returns are off-policy without correction (the original n-step DQN / Rainbow choice): with exploration noise the
/// later rewards follow the behaviour policy, which biases the target toward it; small n keeps that bias small.</para>
/// <para>Allocation-free after construction. Thread-safety: owned by one worker thread.</para>
/// </remarks>
public sealed class MultiStepReturns
{
    /// <summary>The largest n accepted (beyond it the behaviour-policy bias dominates and the window costs O(n) per step).</summary>
    public const int MaxSteps = 32;

    private readonly int _steps, _observationSize, _actionSize;
    private readonly float _discount, _rewardScale;
    // Window of the last (up to) n steps, a ring indexed from _first: observation, action, reward of each.
    private readonly float[] _observations, _actions, _rewards;
    private int _first, _count;

    /// <param name="steps">n ≥ 1.</param>
    /// <param name="discount">γ ∈ [0, 1], the trainer's.</param>
    /// <param name="observationSize">The task's observation length.</param>
    /// <param name="actionSize">The task's action length.</param>
    /// <param name="rewardScale">Every stored reward is multiplied by it (reward scaling; 1: as the task pays).</param>
    public MultiStepReturns(int steps, float discount, int observationSize, int actionSize, float rewardScale = 1f)
    {
        if (!(float.IsFinite(rewardScale) && rewardScale > 0f))
            throw new ArgumentOutOfRangeException(nameof(rewardScale), rewardScale, $"MultiStepReturns: rewardScale must be positive and finite, got {rewardScale}.");
        _rewardScale = rewardScale;
        if (steps is < 1 or > MaxSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"MultiStepReturns: steps must be in [1, {MaxSteps}], got {steps}.");
        if (!(discount >= 0f && discount <= 1f))
            throw new ArgumentOutOfRangeException(nameof(discount), discount, $"MultiStepReturns: discount must be in [0, 1], got {discount}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(actionSize, 1);
        _steps = steps;
        _discount = discount;
        _observationSize = observationSize;
        _actionSize = actionSize;
        _observations = new float[steps * observationSize];
        _actions = new float[steps * actionSize];
        _rewards = new float[steps];
    }

    /// <summary>n.</summary>
    public int Steps => _steps;

    /// <summary>Steps held that are not stored yet (at most n − 1 between calls).</summary>
    public int Pending => _count;

    /// <summary>Forgets the held steps (a cancelled episode, or a new one).</summary>
    public void Clear() => _first = _count = 0;

    /// <summary>Takes step (x, u, r, x′) of the running episode and, once n steps are held, stores the oldest's
    /// n-step transition; if the step ended the episode (<paramref name="terminated"/> or
    /// <paramref name="truncated"/>), stores every held one. Returns how many it stored.</summary>
    public int Add(ReplayRing ring, ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward,
        ReadOnlySpan<float> next, bool terminated, bool truncated)
    {
        int slot = (_first + _count) % _steps;
        observation.CopyTo(_observations.AsSpan(slot * _observationSize, _observationSize));
        action.CopyTo(_actions.AsSpan(slot * _actionSize, _actionSize));
        _rewards[slot] = reward;
        _count++;
        if (terminated || truncated) return Drain(ring, next, terminated, truncated);
        if (_count < _steps) return 0;
        StoreOldest(ring, next, terminated: false, truncated: false);
        return 1;
    }

    /// <summary>The episode ended after the last <see cref="Add"/> without that step saying so (the next step was
    /// discarded, or the worker stops): stores every held step, bootstrapping from <paramref name="lastNext"/> (the
    /// last added step's x′) as a truncation. Returns how many it stored.</summary>
    public int EndEpisode(ReplayRing ring, ReadOnlySpan<float> lastNext) => Drain(ring, lastNext, terminated: false, truncated: true);

    private int Drain(ReplayRing ring, ReadOnlySpan<float> next, bool terminated, bool truncated)
    {
        int stored = 0;
        while (_count > 0)
        {
            StoreOldest(ring, next, terminated, truncated);
            stored++;
        }
        return stored;
    }

    // Stores the oldest held step with the return over every held step (k = _count) and x′ = next, and drops it.
    private void StoreOldest(ReplayRing ring, ReadOnlySpan<float> next, bool terminated, bool truncated)
    {
        float ret = 0f, scale = 1f;
        for (int i = 0; i < _count; i++)
        {
            ret += scale * _rewards[(_first + i) % _steps];
            if (i + 1 < _count) scale *= _discount;
        }
        // scale is now γᵏ⁻¹: the trainer multiplies it by γ once more.
        float weight = terminated ? 0f : scale;
        ring.Insert(_observations.AsSpan(_first * _observationSize, _observationSize), _actions.AsSpan(_first * _actionSize, _actionSize),
            _rewardScale * ret, next, weight, truncated);
        _first = (_first + 1) % _steps;
        _count--;
    }
}
