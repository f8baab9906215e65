using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NafNative.Kernels.Cpu;

namespace NafNative.Replay;

public sealed partial class ReplayRing
{
    /// <summary>After this many failed attempts in a row on one batch row, a sampler starts backing off (SpinWait):
    /// only reached when nearly every candidate slot is being written (a ring of capacity 1 or 2).</summary>
    private const int RetriesBeforeBackoff = 64;

    /// <summary>Floats per 64-byte cache line.</summary>
    private const int FloatsPerLine = 16;

    /// <summary>Cache lines of each sampled slot that the prefetch pass touches.</summary>
    private const int MaxTouchedLines = 8;

    /// <summary>Fills every row of <paramref name="batch"/> with a transition drawn uniformly (with replacement) from
    /// the published ones.</summary>
    /// <returns>False, leaving <paramref name="batch"/> untouched, when nothing has been inserted yet; false also when
    /// <paramref name="cancellation"/> is cancelled while a row is still being retried (the batch is then partly
    /// written and must not be used).</returns>
    /// <exception cref="ArgumentException"><paramref name="batch"/> is shaped for other sizes, or
    /// <paramref name="random"/> is <c>default</c> (unseeded).</exception>
    /// <remarks>Safe to call from many threads at once, each with its own batch and generator; never blocks a producer.
    /// A row whose copy raced a writer is redrawn at a fresh index (<see cref="TornRetries"/>), so no row mixes two
    /// transitions. A row is retried until an intact copy is found, which can take arbitrarily long only when nearly
    /// every slot is being written and its writer is descheduled (a ring of 1 or 2): <paramref name="cancellation"/>
    /// bounds that wait, so a stopping learner never hangs here.</remarks>
    public bool TrySample(ReplayBatch batch, ref ReplayRandom random, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.ObservationSize != ObservationSize || batch.ActionSize != ActionSize) ThrowBatchShape(batch);
        if (!random.IsSeeded) ThrowUnseeded();

        // Acquire read of the ticket counter (pairs with Interlocked.Increment in Insert). Slots [0, available) have
        // had a ticket; one may still be unwritten or mid-copy, which the per-row sequence check below rejects.
        int available = (int)Math.Min(Volatile.Read(ref _nextTicket.Value), Capacity);
        if (available == 0) return false;

        // Pass 1: draw every row's slot and touch its sequence and payload lines. The loads are independent, so the
        // cache misses of all rows overlap instead of costing one DRAM latency per row; their values are discarded
        // (pass 2 re-reads everything under the seqlock), so they need no ordering.
        //
        // Sample-ahead: when the previous call drew this batch's slots and hinted their lines into the cache (end of
        // this method), those draws are used as they are; the update that ran in between hid their memory latency.
        // They were uniform over the slots published then, a prefix of those published now, so sampling stays uniform
        // over the ring once it is full (while it fills, the newest few transitions wait one batch to be eligible).
        int[] slots = batch.Slots;
        if (batch.HasNextSlots)
        {
            batch.NextSlots.AsSpan().CopyTo(slots);
        }
        else
        {
            long sink = 0;
            for (int row = 0; row < slots.Length; row++)
            {
                int slot = random.NextInt(available);
                slots[row] = slot;
                sink += Touch(slot);
            }
            batch.PrefetchSink = sink;
        }

        // Pass 2: copy each row under the seqlock; a row that raced a writer is redrawn at a fresh random index.
        long torn = 0;
        for (int row = 0; row < slots.Length; row++)
        {
            long sequence = CopyRow(slots[row], batch, row);
            if (sequence > 0) continue;
            if (sequence < 0) torn++;
            int attempts = 1;
            var spinner = new SpinWait();
            while (true)
            {
                sequence = CopyRow(random.NextInt(available), batch, row);
                if (sequence > 0) break;
                if (sequence < 0) torn++;
                if (++attempts >= RetriesBeforeBackoff)
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        // Full fence; pairs with the Volatile.Read in TornRetries.
                        if (torn != 0) Interlocked.Add(ref _tornRetries.Value, torn);
                        batch.HasNextSlots = false;
                        return false;
                    }
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }
        }

        // Full fence, once per batch rather than per retry; pairs with the Volatile.Read in TornRetries.
        if (torn != 0) Interlocked.Add(ref _tornRetries.Value, torn);

        // Draw the next batch's slots now and hint their lines into the cache without waiting (non-blocking
        // prefetch): the caller's update runs while they arrive. Values are re-read under the seqlock then.
        int[] next = batch.NextSlots;
        for (int row = 0; row < next.Length; row++)
        {
            int slot = random.NextInt(available);
            next[row] = slot;
            Prefetch.Lines<long>(_sequences, slot, 1);
            Prefetch.Lines<float>(_data, slot * Stride, Stride);
        }
        batch.HasNextSlots = true;
        return true;
    }

    /// <summary>Like <see cref="TrySample"/>, but an empty ring is an error.</summary>
    /// <exception cref="InvalidOperationException">Nothing has been inserted yet.</exception>
    public void Sample(ReplayBatch batch, ref ReplayRandom random)
    {
        if (!TrySample(batch, ref random)) ThrowEmpty();
    }

    /// <summary>Copies slot <paramref name="slot"/> into row <paramref name="row"/> under the seqlock (a sampler that
    /// picks its own slots: <see cref="PrioritizedSampler"/>).</summary>
    /// <returns>True when the copy is intact; false when the slot was never written or a writer raced the copy (the
    /// row is then garbage and the caller draws another slot).</returns>
    internal bool TryCopy(int slot, ReplayBatch batch, int row)
    {
        long sequence = CopyRow(slot, batch, row);
        if (sequence < 0) Interlocked.Increment(ref _tornRetries.Value); // full fence; pairs with TornRetries' read
        return sequence > 0;
    }

    /// <summary>The ticket whose transition slot <paramref name="slot"/> holds now, or −1 while it is unwritten or
    /// being written.</summary>
    internal long PublishedTicket(int slot)
    {
        // Acquire; pairs with the release store that publishes the slot in Insert.
        long sequence = Volatile.Read(ref _sequences[slot]);
        return sequence > 0 && (sequence & 1) == 0 ? TicketOf(sequence) : -1;
    }

    /// <summary>The ticket t of a published sequence 2t + 2 (see Design in ReplayRing.cs).</summary>
    private static long TicketOf(long publishedSequence) => (publishedSequence >> 1) - 1;

    /// <summary>Plain loads of a slot's sequence and of one float per cache line of its payload (at most
    /// <see cref="MaxTouchedLines"/>; the hardware prefetcher streams the rest of a long slot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Touch(int slot)
    {
        long sum = _sequences[slot];
        int start = slot * Stride, end = start + Math.Min(Stride, MaxTouchedLines * FloatsPerLine);
        for (int i = start; i < end; i += FloatsPerLine) sum += BitConverter.SingleToInt32Bits(_data[i]);
        return sum + BitConverter.SingleToInt32Bits(_data[start + Stride - 1]); // the line the slot ends in
    }

    /// <summary>Copies slot <paramref name="slot"/> into row <paramref name="row"/> under the seqlock.</summary>
    /// <returns>The slot's (even, positive) sequence when the copy is intact; 0 when the slot was never written;
    /// −1 when a writer raced the copy (in progress before, or a different sequence after).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long CopyRow(int slot, ReplayBatch batch, int row)
    {
        ref long sequence = ref _sequences[slot];

        // Acquire: the payload loads below cannot be performed before this load, so if it sees 2t + 2 they see at
        // least ticket t's payload. Pairs with the release Volatile.Write in Insert.
        long before = Volatile.Read(ref sequence);
        if (before == 0) return 0;
        if ((before & 1) != 0) return -1;

        int o = ObservationSize, a = ActionSize;
        ReadOnlySpan<float> source = _data.AsSpan(slot * Stride, Stride);
        source[..o].CopyTo(batch.Observations.AsSpan(row * o, o));
        source.Slice(_actionOffset, a).CopyTo(batch.Actions.AsSpan(row * a, a));
        float reward = source[_rewardOffset];
        source.Slice(_nextObservationOffset, o).CopyTo(batch.NextObservations.AsSpan(row * o, o));
        float terminated = source[_terminatedOffset];
        float truncated = source[_truncatedOffset];

        // Load-load barrier: every payload load above completes before the re-check below (an acquire load alone
        // would let earlier loads drift past it on weakly ordered CPUs; on x64 this only stops the JIT reordering).
        // Pairs with the full fence of the writer's CompareExchange in TryClaim: a copy that read any store of a
        // newer writer must now see that writer's odd (or later) sequence.
        Volatile.ReadBarrier();
        long after = Volatile.Read(ref sequence);
        if (after != before) return -1;

        batch.Rewards[row] = reward;
        batch.Terminated[row] = terminated;
        batch.Truncated[row] = truncated;
        batch.Tickets[row] = TicketOf(before);
        Debug.Assert(before > 0 && (before & 1) == 0, "an intact copy carries an even, positive (published) sequence");
        return before;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBatchShape(ReplayBatch batch) =>
        throw new ArgumentException(
            $"ReplayRing.TrySample: batch holds observations of {batch.ObservationSize} and actions of {batch.ActionSize} " +
            $"floats but this ring stores {ObservationSize} and {ActionSize}; create it with new ReplayBatch(size, ring).",
            nameof(batch));

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnseeded() =>
        throw new ArgumentException(
            "ReplayRing.TrySample: random is default(ReplayRandom), which is unseeded and would always pick slot 0; " +
            "create it with new ReplayRandom(seed).", "random");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowEmpty() =>
        throw new InvalidOperationException(
            "ReplayRing.Sample: the ring is empty (0 transitions inserted); insert at least one before sampling, " +
            "or call TrySample and wait until it returns true.");
}
