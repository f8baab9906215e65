namespace NafNative.Replay;

/// <summary>What happened to one <see cref="ReplayRing.Insert(ReadOnlySpan{float}, ReadOnlySpan{float}, float, ReadOnlySpan{float}, bool, bool)"/>.</summary>
public enum InsertOutcome
{
    /// <summary>The transition was written and published; samplers may return it until it is overwritten.</summary>
    Stored,

    /// <summary>A ticket one or more laps newer already held the slot, so the transition was dropped (as
    /// overwrite-oldest would have dropped it at once); it is never sampled (<see cref="ReplayRing.Superseded"/>).</summary>
    Superseded,
}

/// <summary>The ticket an insert took and whether its transition was stored.</summary>
/// <param name="Ticket">0-based position in insertion order (taken whether or not the transition was stored).</param>
/// <param name="Outcome">Stored, or superseded (dropped).</param>
public readonly record struct InsertResult(long Ticket, InsertOutcome Outcome)
{
    public bool Stored => Outcome == InsertOutcome.Stored;
}
