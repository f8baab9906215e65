using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NafNative.Replay;

// Design:
// - What it is: a fixed ring of `Capacity` (a power of two) transitions (x, u, r, x', terminated, truncated) that
//   overwrites the oldest. Every payload lives in one float[] `_data` (slot i at i·Stride, layout below) and every
//   slot has one long in `_sequences`; both are allocated in the constructor and nothing is allocated afterwards.
// - Writers: any number of producer threads call Insert. A producer takes a ticket t with one Interlocked.Increment on
//   `_nextTicket` (no other shared write), maps it to slot t & mask, and runs a per-slot seqlock:
//     sequence 0        slot never written;
//     sequence 2t + 1   ticket t is writing the payload (odd = in progress);
//     sequence 2t + 2   ticket t's payload is published (even, unique per ticket, grows per slot).
//   It claims the slot by CAS from an even value below 2t + 2 to 2t + 1, copies the payload, and publishes 2t + 2 with
//   a release store. Two writers on one slot (tickets t and t + k·Capacity: the ring wrapped during one copy) never
//   write at once: the CAS admits one; a newer writer waits for an older one to publish (only possible when a writer
//   is descheduled while the whole ring laps it: tiny rings or heavy oversubscription), and an older writer that
//   finds a newer ticket there drops its transition, which overwrite-oldest would have discarded anyway (counted in
//   Superseded). So a slot's sequence only moves forward and no payload byte is ever written by two tickets at once.
// - Readers: any number of sampler threads call TrySample. A sampler reads the sequence (acquire), copies the payload,
//   issues a load-load barrier and re-reads the sequence. Unwritten (0), in progress (odd) or changed (s1 != s2)
//   means the copy may mix two transitions: it is discarded and the row retried at a fresh random index (counted in
//   TornRetries). Because every sequence value is unique to one ticket, s1 == s2 (even) proves no writer touched the
//   slot during the copy: a sampler never returns a torn transition. Before copying, a sampler draws all of a batch's
//   slots and touches their lines with plain loads whose values it discards, so the rows' cache misses overlap.
// - Samplers never block writers and writers never wait for samplers. Insert validates its arguments before taking a
//   ticket, so a rejected transition leaves the ring unchanged.
// - Insert returns its outcome (stored or superseded) with its ticket. Two internal test hooks (null in production)
//   run on the inserting thread before the claim and between claim and copy, so tests can hold a producer there.
// - Hot shared counters (`_nextTicket` written by every producer, `_tornRetries` and `_superseded`) each sit alone on
//   a cache line (PaddedCounter); the readonly geometry fields are written only by the constructor.

/// <summary>A lock-free, fixed-capacity replay buffer of transitions (x, u, r, x', terminated, truncated) that many
/// producer threads insert into and many sampler threads sample from at once.</summary>
/// <remarks>
/// <para>Capacity is a power of two, fixed at construction, as are the observation and action sizes; the oldest
/// transition is overwritten once the ring is full. No method allocates after construction.</para>
/// <para>Thread-safety: <see cref="Insert(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, bool, bool)"/> and <see cref="TrySample"/> may be called from any number of threads at
/// once without locks. A sample never mixes two transitions: a copy raced by a writer is detected through the slot's
/// sequence number and retried at another index (<see cref="TornRetries"/>).</para>
/// <para>Slot layout (floats): observation [obs], action [act], reward, next observation [obs], terminated (1 − the
/// bootstrap weight: 0/1 for one-step transitions, see the weighted <see cref="Insert(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, float, bool)"/>),
/// truncated (0/1); <see cref="Stride"/> = 2·obs + act + 3.</para>
/// </remarks>
public sealed partial class ReplayRing
{
    /// <summary>The largest capacity the constructor accepts (2^26 transitions).</summary>
    public const int MaxCapacity = 1 << 26;

    // Geometry: written by the constructor only, then read by every thread (readonly, published by construction).
    private readonly int _mask;
    private readonly int _actionOffset;
    private readonly int _rewardOffset;
    private readonly int _nextObservationOffset;
    private readonly int _terminatedOffset;
    private readonly int _truncatedOffset;

    // Payloads: slot i's floats at [i·Stride, (i+1)·Stride). Written by the producer whose ticket holds the slot's odd
    // sequence; read by samplers under the seqlock.
    private readonly float[] _data;

    // Per-slot sequence (0, 2t+1 or 2t+2, see Design). Written by producers (CAS, release store), read by samplers
    // and producers (acquire loads).
    private readonly long[] _sequences;

    // Next ticket to hand out = transitions ever inserted. Written by producers (Interlocked.Increment); read by
    // samplers and observers (Volatile.Read).
    private PaddedCounter _nextTicket;

    // Rows a sampler discarded because a writer raced its copy. Written by samplers (Interlocked.Add, once per batch).
    private PaddedCounter _tornRetries;

    // Transitions dropped because a newer ticket already held their slot. Written by producers (Interlocked.Increment).
    private PaddedCounter _superseded;

    /// <summary>Creates an empty ring.</summary>
    /// <param name="capacity">Transitions held; a power of two in [1, <see cref="MaxCapacity"/>].</param>
    /// <param name="observationSize">Floats per observation (x and x'), at least 1.</param>
    /// <param name="actionSize">Floats per action (u), at least 1.</param>
    public ReplayRing(int capacity, int observationSize, int actionSize)
    {
        if (capacity <= 0 || capacity > MaxCapacity || !int.IsPow2(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"ReplayRing: capacity must be a power of two in [1, {MaxCapacity}], got {capacity}; " +
                $"use {(capacity <= 1 ? 1 : Math.Min(MaxCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)capacity)))}.");
        if (observationSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize,
                $"ReplayRing: observationSize must be at least 1, got {observationSize}.");
        if (actionSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(actionSize), actionSize,
                $"ReplayRing: actionSize must be at least 1, got {actionSize}.");
        long stride = 2L * observationSize + actionSize + 3;
        if (stride * capacity > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"ReplayRing: capacity {capacity} × {stride} floats per transition exceeds one array's {Array.MaxLength} " +
                "elements; lower capacity or the observation/action sizes.");

        Capacity = capacity;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        Stride = (int)stride;
        _mask = capacity - 1;
        _actionOffset = observationSize;
        _rewardOffset = observationSize + actionSize;
        _nextObservationOffset = _rewardOffset + 1;
        _terminatedOffset = _nextObservationOffset + observationSize;
        _truncatedOffset = _terminatedOffset + 1;
        Debug.Assert(_truncatedOffset == Stride - 1, "the slot layout must fill exactly one stride");
        _data = new float[capacity * stride];
        _sequences = new long[capacity];
    }

    /// <summary>Transitions the ring holds when full (a power of two).</summary>
    public int Capacity { get; }

    /// <summary>Floats per observation (x and x').</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action (u).</summary>
    public int ActionSize { get; }

    /// <summary>Floats per stored transition: 2·obs + act + 3.</summary>
    public int Stride { get; }

    /// <summary>Transitions ever inserted (tickets handed out), including ones since overwritten.</summary>
    // Acquire read of the ticket counter; pairs with the Interlocked.Increment in Insert. A snapshot: producers may
    // have moved on by the time the caller looks at it.
    public long Inserted => Volatile.Read(ref _nextTicket.Value);

    /// <summary>Transitions available to sample: min(<see cref="Inserted"/>, <see cref="Capacity"/>).</summary>
    /// <remarks>Counts slots whose ticket is taken; a slot whose copy is still in progress is skipped by samplers.</remarks>
    public int Count => (int)Math.Min(Inserted, Capacity);

    /// <summary>Sampled rows discarded and retried because a writer raced the copy (in progress or changed).</summary>
    // Acquire read; pairs with the Interlocked.Add at the end of TrySample.
    public long TornRetries => Volatile.Read(ref _tornRetries.Value);

    /// <summary>Transitions dropped because, before their producer claimed the slot, a newer ticket (one whole ring
    /// later) had already claimed it: overwrite-oldest would have discarded them at once.</summary>
    // Acquire read; pairs with the Interlocked.Increment in Insert.
    public long Superseded => Volatile.Read(ref _superseded.Value);

    /// <summary>Inserts one transition, overwriting the oldest when the ring is full.</summary>
    /// <returns>The transition's ticket (its 0-based position in insertion order) and whether it was stored or
    /// superseded.</returns>
    /// <remarks>If this call is descheduled between taking its ticket and claiming its slot for so long that a whole
    /// ring's worth of newer inserts (Capacity tickets) claims that slot first, the transition is dropped, exactly as
    /// overwrite-oldest would have dropped it, and <see cref="Superseded"/> counts it.</remarks>
    /// <exception cref="ArgumentException">A span has the wrong length, or a value is NaN or ±∞ (the message names the
    /// field and index); the ring is left unchanged.</exception>
    public InsertResult Insert(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward,
        ReadOnlySpan<float> nextObservation, bool terminated, bool truncated) =>
        Insert(observation, action, reward, nextObservation, terminated ? 0f : 1f, truncated);

    /// <summary>Inserts one transition whose bootstrap is weighted: the trainers' target is
    /// y = r + γ·(1 − terminated)·V′(x′), and this stores terminated = 1 − <paramref name="bootstrapWeight"/>, so an
    /// n-step return (r = Σᵢ γⁱ rₜ₊ᵢ over k steps, x′ = xₜ₊ₖ) is stored with weight γ^(k−1) and bootstraps with γ^k.</summary>
    /// <remarks>The weight is 1 for an ordinary transition, 0 for a terminal one (no bootstrap), in between for a
    /// multi-step return; it must lie in [0, 1].</remarks>
    /// <exception cref="ArgumentException">As the flag overload, or the weight is outside [0, 1]; the ring is left
    /// unchanged.</exception>
    public InsertResult Insert(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward,
        ReadOnlySpan<float> nextObservation, float bootstrapWeight, bool truncated)
    {
        if (!(bootstrapWeight >= 0f && bootstrapWeight <= 1f))
            throw new ArgumentOutOfRangeException(nameof(bootstrapWeight), bootstrapWeight,
                $"ReplayRing.Insert: bootstrapWeight must be in [0, 1] (1 ordinary, 0 terminal), got {bootstrapWeight}; the transition was not inserted.");
        // Every check runs before the ticket is taken, so a rejected transition leaves no trace.
        if (observation.Length != ObservationSize) ThrowLength(nameof(observation), observation.Length, ObservationSize);
        if (action.Length != ActionSize) ThrowLength(nameof(action), action.Length, ActionSize);
        if (nextObservation.Length != ObservationSize) ThrowLength(nameof(nextObservation), nextObservation.Length, ObservationSize);
        if (!TensorPrimitives.IsFiniteAll(observation)) ThrowNotFinite(nameof(observation), observation);
        if (!TensorPrimitives.IsFiniteAll(action)) ThrowNotFinite(nameof(action), action);
        if (!float.IsFinite(reward)) ThrowNotFinite(nameof(reward), new ReadOnlySpan<float>(in reward));
        if (!TensorPrimitives.IsFiniteAll(nextObservation)) ThrowNotFinite(nameof(nextObservation), nextObservation);

        // Full fence; the only write every producer shares. Each caller gets a distinct ticket, in a total order.
        long ticket = Interlocked.Increment(ref _nextTicket.Value) - 1;
        int slot = (int)(ticket & _mask);
        long writing = 2 * ticket + 1;
        ref long sequence = ref _sequences[slot];
        BeforeClaimForTest?.Invoke(ticket);
        if (!TryClaim(ref sequence, writing))
        {
            // Full fence; rare (see Superseded). Pairs with the Volatile.Read in Superseded.
            Interlocked.Increment(ref _superseded.Value);
            return new InsertResult(ticket, InsertOutcome.Superseded);
        }
        AfterClaimForTest?.Invoke(ticket);

        Span<float> destination = _data.AsSpan(slot * Stride, Stride);
        observation.CopyTo(destination);
        action.CopyTo(destination[_actionOffset..]);
        destination[_rewardOffset] = reward;
        nextObservation.CopyTo(destination[_nextObservationOffset..]);
        destination[_terminatedOffset] = 1f - bootstrapWeight;
        destination[_truncatedOffset] = truncated ? 1f : 0f;

        // Release: the payload stores above are visible before any thread sees the even sequence 2t + 2.
        // Pairs with the first Volatile.Read in CopyRow (a sampler copies only after seeing it) and with the
        // Volatile.Read in TryClaim (the next writer of this slot starts only after it).
        Volatile.Write(ref sequence, writing + 1);
        return new InsertResult(ticket, InsertOutcome.Stored);
    }

    /// <summary>Tests only: runs on the inserting thread with its ticket, after the ticket is taken and before the
    /// slot is claimed, so a test can hold a producer there while newer inserts lap it (Superseded). Null in
    /// production (one well-predicted branch per insert). Set before any producer starts.</summary>
    internal Action<long>? BeforeClaimForTest { get; set; }

    /// <summary>Tests only: like <see cref="BeforeClaimForTest"/>, after the slot is claimed (odd sequence) and before
    /// the payload is copied, so a test can hold a writer mid-insert.</summary>
    internal Action<long>? AfterClaimForTest { get; set; }

    /// <summary>Marks <paramref name="sequence"/> as being written by ticket (<paramref name="writing"/> − 1) / 2.
    /// Returns false when a newer ticket already holds the slot (ours is older and is dropped).</summary>
    private static bool TryClaim(ref long sequence, long writing)
    {
        var spinner = new SpinWait();
        while (true)
        {
            // Acquire: if the previous owner's publish (release) is seen, its payload stores are ordered before ours.
            // Pairs with the Volatile.Write in Insert and the CompareExchange below (by other writers).
            long current = Volatile.Read(ref sequence);
            if (current >= writing) return false; // a newer ticket writes or has published this slot
            if ((current & 1) == 0)
            {
                // Full fence: the odd marker is visible before any payload store that follows it, so a sampler whose
                // copy reads one of our stores must then see a sequence different from the one it started with.
                // Pairs with the ReadBarrier + second Volatile.Read in CopyRow.
                if (Interlocked.CompareExchange(ref sequence, writing, current) == current) return true;
                continue; // another writer moved the sequence between our read and CAS: look again
            }
            // An older ticket is still copying into this slot (the ring lapped it). Let it finish; no Sleep(1), the
            // wait is one payload copy once that thread runs.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string name, int length, int expected) =>
        throw new ArgumentException(
            $"ReplayRing.Insert: {name} has {length} floats but this ring stores {expected}; the transition was not inserted.", name);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(string name, ReadOnlySpan<float> values)
    {
        int index = 0;
        while (index < values.Length && float.IsFinite(values[index])) index++;
        string where = values.Length == 1 && name == "reward" ? name : $"{name}[{index}]";
        throw new ArgumentException(
            $"ReplayRing.Insert: {where} is {values[index]}; every value must be finite (no NaN or ±Infinity). " +
            "The transition was not inserted; check the environment or the policy output.", name);
    }
}
