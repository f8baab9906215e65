using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NafNative.Replay;

// Design:
// - Proportional prioritised replay (Schaul et al. 2016) as Ape-X (Horgan et al. 2018) runs it: transition i is
//   drawn with P(i) = p_i^α / Σ p^α, p_i = |δ_i| + ε from its last TD error, and its loss is weighted by
//   w_i = (N·P(i))^−β / max_batch w. New transitions enter at the largest priority seen so far, so each is replayed
//   at least about once soon after it arrives.
// - The ring stays as it is (lock-free, many producers); this sampler belongs to the learner thread and keeps its
//   own sum tree over the ring's slots. Before each batch it catches up on the tickets inserted since the last one
//   (usually one or two) and gives their slots the maximum priority; the producers never touch the tree.
// - A slot is overwritten while its priority stands for the old transition only between one catch-up and the next,
//   and the next catch-up resets it to the maximum, so a new transition never inherits an old one's small priority
//   for longer than one batch. A TD error arriving for a slot that has since been overwritten (its ticket changed) is
//   dropped for the same reason.
// - Priorities are not saved in checkpoints: a resumed run gives every transition of the restored replay the
//   maximum priority (1) and relearns them within a few passes.

/// <summary>Samples batches from a <see cref="ReplayRing"/> in proportion to priorities the learner sets from TD
/// errors, with importance-sampling weights (proportional prioritised replay, as Ape-X).</summary>
/// <remarks>One owner thread (the learner) calls every method; producers keep inserting into the ring concurrently.
/// Nothing allocates after construction.</remarks>
public sealed class PrioritizedSampler
{
    /// <summary>Added to |δ| so no transition's priority is 0 (Schaul et al.'s ε).</summary>
    public const double PriorityFloor = 1e-6;

    private const int RetriesBeforeBackoff = 64;

    private readonly ReplayRing _ring;
    private readonly PrioritySumTree _tree;
    private readonly int _mask;
    private long _caughtUp;
    private double _maxPriority = 1.0;

    /// <summary>Creates a sampler over <paramref name="ring"/>.</summary>
    /// <param name="ring">The replay ring (any transitions it already holds get the initial maximum priority, 1).</param>
    /// <param name="priorityExponent">α in (0, 1]: how strongly priorities skew sampling (Ape-X: 0.6).</param>
    /// <param name="importanceExponent">β in [0, 1]: how much the weights correct the skew (Ape-X: 0.4; 1 corrects
    /// fully).</param>
    public PrioritizedSampler(ReplayRing ring, double priorityExponent, double importanceExponent)
    {
        ArgumentNullException.ThrowIfNull(ring);
        if (!(priorityExponent > 0 && priorityExponent <= 1))
            throw new ArgumentOutOfRangeException(nameof(priorityExponent), priorityExponent,
                $"PrioritizedSampler: the priority exponent α must be in (0, 1], got {priorityExponent}.");
        if (!(importanceExponent >= 0 && importanceExponent <= 1))
            throw new ArgumentOutOfRangeException(nameof(importanceExponent), importanceExponent,
                $"PrioritizedSampler: the importance exponent β must be in [0, 1], got {importanceExponent}.");
        _ring = ring;
        _tree = new PrioritySumTree(ring.Capacity);
        _mask = ring.Capacity - 1;
        PriorityExponent = priorityExponent;
        ImportanceExponent = importanceExponent;
    }

    /// <summary>α: P(i) ∝ p_i^α.</summary>
    public double PriorityExponent { get; }

    /// <summary>β: w_i ∝ (N·P(i))^−β.</summary>
    public double ImportanceExponent { get; }

    /// <summary>The largest priority |δ| + ε seen so far (1 before any TD error): what new transitions get.</summary>
    public double MaxPriority => _maxPriority;

    /// <summary>The tree's current p^α of slot <paramref name="slot"/> (tests and diagnostics).</summary>
    public double ScaledPriority(int slot) => _tree[slot];

    /// <summary>Fills every row of <paramref name="batch"/> with a transition drawn in proportion to its priority and
    /// writes each row's importance weight into <paramref name="weights"/> (the largest in the batch is 1).</summary>
    /// <returns>False when nothing has been inserted yet, or when <paramref name="cancellation"/> is cancelled while
    /// a row is still being retried (the batch is then partly written and must not be used).</returns>
    public bool TrySample(ReplayBatch batch, Span<float> weights, ref ReplayRandom random, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.ObservationSize != _ring.ObservationSize || batch.ActionSize != _ring.ActionSize) ThrowShape();
        if (weights.Length != batch.Size) ThrowWeights(weights.Length, batch.Size);
        if (!random.IsSeeded) ThrowUnseeded();
        CatchUp();
        double total = _tree.Total;
        if (!(total > 0)) return false;

        int[] slots = batch.Slots;
        int count = _ring.Count;
        double largest = 0;
        for (int row = 0; row < batch.Size; row++)
        {
            int attempts = 0;
            var spinner = new SpinWait();
            int slot;
            // A row whose slot is unwritten or mid-write (the newest tickets) is drawn again.
            while (!_ring.TryCopy(slot = _tree.Find(random.NextDouble() * total), batch, row))
            {
                if (++attempts < RetriesBeforeBackoff) continue;
                if (cancellation.IsCancellationRequested) return false;
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            slots[row] = slot;
            // w ∝ (N·P)^−β with P = p^α / Σ p^α; normalised below by the batch's largest.
            double weight = Math.Pow(count * (_tree[slot] / total), -ImportanceExponent);
            weights[row] = (float)weight;
            largest = Math.Max(largest, weight);
        }
        // The largest row's weight is 1 exactly (not 1 + an ulp from the float rounding of the ratio).
        for (int row = 0; row < batch.Size; row++) weights[row] = MathF.Min(1f, (float)(weights[row] / largest));
        batch.HasNextSlots = false; // the ring's own sample-ahead draws do not apply to this batch
        return true;
    }

    /// <summary>Sets each row's priority to |<paramref name="tdErrors"/>[row]| + ε for the transition it was sampled
    /// from, unless that slot has since been overwritten by a newer transition (its ticket changed).</summary>
    /// <exception cref="ArgumentException">The span's length is not the batch size, or an error is NaN or ±∞ (no
    /// priority is changed).</exception>
    public void UpdatePriorities(ReplayBatch batch, ReadOnlySpan<float> tdErrors)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (tdErrors.Length != batch.Size) ThrowWeights(tdErrors.Length, batch.Size);
        for (int row = 0; row < tdErrors.Length; row++)
            if (!float.IsFinite(tdErrors[row])) ThrowNotFinite(row, tdErrors[row]);
        int[] slots = batch.Slots;
        for (int row = 0; row < tdErrors.Length; row++)
        {
            int slot = slots[row];
            if (_ring.PublishedTicket(slot) != batch.Tickets[row]) continue;
            double priority = Math.Abs((double)tdErrors[row]) + PriorityFloor;
            if (priority > _maxPriority) _maxPriority = priority;
            _tree.Set(slot, Math.Pow(priority, PriorityExponent));
        }
    }

    /// <summary>Gives every slot inserted since the last call the maximum priority.</summary>
    private void CatchUp()
    {
        long inserted = _ring.Inserted;
        long from = Math.Max(_caughtUp, inserted - _ring.Capacity);
        if (from >= inserted) return;
        double scaled = Math.Pow(_maxPriority, PriorityExponent);
        for (long ticket = from; ticket < inserted; ticket++) _tree.Set((int)(ticket & _mask), scaled);
        _caughtUp = inserted;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowShape() =>
        throw new ArgumentException(
            $"PrioritizedSampler: the batch must hold observations of {_ring.ObservationSize} and actions of {_ring.ActionSize} floats, as its ring does.", "batch");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWeights(int length, int size) =>
        throw new ArgumentException($"PrioritizedSampler: expected one value per batch row ({size}), got {length}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(int row, float value) =>
        throw new ArgumentException($"PrioritizedSampler.UpdatePriorities: the TD error of row {row} is {value}; every one must be finite. No priority was changed.", "tdErrors");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnseeded() =>
        throw new ArgumentException("PrioritizedSampler.TrySample: random is default(ReplayRandom) (unseeded); create it with new ReplayRandom(seed).", "random");
}
