using System.Diagnostics;

namespace NafNative.Replay;

public sealed partial class ReplayRing
{
    /// <summary>Tickets the ring can still hold: the newest <see cref="Capacity"/> of those handed out, as
    /// [<c>First</c>, <c>End</c>) at the moment of the call.</summary>
    public (long First, long End) HeldTickets()
    {
        long end = Inserted;
        return (Math.Max(0, end - Capacity), end);
    }

    /// <summary>Copies the transition with <paramref name="ticket"/> (its slot layout, <see cref="Stride"/> floats)
    /// into <paramref name="destination"/> if the ring still holds it.</summary>
    /// <returns>False when a newer ticket has overwritten (or superseded) it, or when its producer has not published
    /// it within <paramref name="maxWait"/> (a producer stopped between taking its ticket and publishing).</returns>
    /// <remarks>For checkpoints: safe while producers and samplers run (the same seqlock check as sampling, so the copy
    /// is never torn); waits for a ticket still being written, since a checkpoint must not skip a transition that is
    /// about to be published.</remarks>
    public bool TryCopyTicket(long ticket, Span<float> destination, TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ticket);
        if (destination.Length != Stride)
            throw new ArgumentException($"ReplayRing.TryCopyTicket: destination has {destination.Length} floats, a slot has {Stride}.", nameof(destination));
        int slot = (int)(ticket & _mask);
        long published = 2 * ticket + 2;
        ref long sequence = ref _sequences[slot];
        var spinner = new SpinWait();
        long started = 0;
        while (true)
        {
            // Acquire: pairs with the release store that publishes the payload in Insert.
            long before = Volatile.Read(ref sequence);
            if (before > published) return false;
            if (before == published)
            {
                _data.AsSpan(slot * Stride, Stride).CopyTo(destination);
                Volatile.ReadBarrier();
                if (Volatile.Read(ref sequence) == before) return true;
                return false; // overwritten during the copy: only a newer ticket moves a published slot
            }
            // Not yet claimed by this ticket's producer, or being written (odd): wait for it, within bounds.
            if (started == 0) started = Stopwatch.GetTimestamp();
            else if (Stopwatch.GetElapsedTime(started) > maxWait) return false;
            spinner.SpinOnce(sleep1Threshold: 20);
        }
    }
}
