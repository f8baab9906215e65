using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Replay;

/// <summary>A producer held between taking its ticket and claiming its slot (or between claiming and copying) while
/// newer inserts lap it: driven step by step through the ring's test hooks, so the rare paths run every time.</summary>
public sealed class ReplayRingLapTests
{
    private const int Obs = 3, Act = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static InsertResult InsertId(ReplayRing ring, int id)
    {
        float[] obs = [id, id + 0.25f, id + 0.5f], act = [-id, -id - 0.5f], next = [id + 1, id + 1.25f, id + 1.5f];
        return ring.Insert(obs, act, id * 10f, next, terminated: false, truncated: false);
    }

    /// <summary>Every row of a batch is an intact transition whose ticket is in <paramref name="allowed"/>, its
    /// payload encoding that ticket (InsertId(id) with id = ticket).</summary>
    private static void AssertRowsAre(ReplayBatch batch, params long[] allowed)
    {
        for (int row = 0; row < batch.Size; row++)
        {
            long ticket = batch.Tickets[row];
            Assert.That(allowed, Does.Contain(ticket), $"row {row} holds ticket {ticket}");
            Assert.That(batch.Rewards[row], Is.EqualTo(ticket * 10f), $"row {row}: reward of ticket {ticket}");
            Assert.That(batch.Observations[row * Obs], Is.EqualTo((float)ticket), $"row {row}: observation of ticket {ticket}");
            Assert.That(batch.NextObservations[row * Obs], Is.EqualTo(ticket + 1f), $"row {row}: next observation of ticket {ticket}");
        }
    }

    [Test]
    public void Insert_LappedBeforeClaim_ReturnsSupersededAndTheTicketIsNeverSampled()
    {
        var ring = new ReplayRing(2, Obs, Act);
        using var tookTicket = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        ring.BeforeClaimForTest = ticket =>
        {
            if (ticket != 0) return;
            tookTicket.Set();
            release.Wait(Timeout);
        };
        InsertResult held = default;
        var producer = new Thread(() => held = InsertId(ring, 0)) { IsBackground = true };
        producer.Start();
        Assert.That(tookTicket.Wait(Timeout), Is.True, "the held producer took ticket 0");

        // Tickets 1 and 2 (slot 0 again: one lap ahead of ticket 0) are stored while ticket 0 waits.
        Assert.That(InsertId(ring, 1), Is.EqualTo(new InsertResult(1, InsertOutcome.Stored)));
        Assert.That(InsertId(ring, 2), Is.EqualTo(new InsertResult(2, InsertOutcome.Stored)));
        release.Set();
        Assert.That(producer.Join(Timeout), Is.True);

        var batch = new ReplayBatch(64, ring);
        var random = new ReplayRandom(3);
        for (int i = 0; i < 50; i++)
        {
            ring.Sample(batch, ref random);
            AssertRowsAre(batch, 1, 2);
        }
        Assert.Multiple(() =>
        {
            Assert.That(held, Is.EqualTo(new InsertResult(0, InsertOutcome.Superseded)), "the lapped insert reports that it was dropped");
            Assert.That(held.Stored, Is.False);
            Assert.That(ring.Superseded, Is.EqualTo(1));
            Assert.That(ring.Inserted, Is.EqualTo(3), "a superseded insert still took its ticket");
        });
    }

    [Test]
    public void Insert_NewerTicketWhileOlderCopies_WaitsThenStoresOnlyTheNewer()
    {
        var ring = new ReplayRing(2, Obs, Act);
        using var claimed = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        ring.AfterClaimForTest = ticket =>
        {
            if (ticket != 0) return;
            claimed.Set();
            release.Wait(Timeout);
        };
        InsertResult older = default, newer = default;
        var olderThread = new Thread(() => older = InsertId(ring, 0)) { IsBackground = true };
        olderThread.Start();
        Assert.That(claimed.Wait(Timeout), Is.True, "ticket 0 claimed slot 0 and holds it mid-copy");
        InsertId(ring, 1);

        // Ticket 2 maps to slot 0, which ticket 0 is still writing: it must wait, not write over it.
        var newerThread = new Thread(() => newer = InsertId(ring, 2)) { IsBackground = true };
        newerThread.Start();
        Assert.That(newerThread.Join(TimeSpan.FromMilliseconds(200)), Is.False, "ticket 2 waits for ticket 0 to publish");
        var batch = new ReplayBatch(32, ring);
        var random = new ReplayRandom(5);
        ring.Sample(batch, ref random);
        AssertRowsAre(batch, 1); // slot 0 is mid-write: only ticket 1 can be returned

        release.Set();
        Assert.That(olderThread.Join(Timeout) && newerThread.Join(Timeout), Is.True);
        for (int i = 0; i < 20; i++)
        {
            ring.Sample(batch, ref random);
            AssertRowsAre(batch, 1, 2);
        }
        Assert.Multiple(() =>
        {
            Assert.That(older.Outcome, Is.EqualTo(InsertOutcome.Stored), "ticket 0 finished its copy (then was overwritten)");
            Assert.That(newer, Is.EqualTo(new InsertResult(2, InsertOutcome.Stored)));
            Assert.That(ring.Superseded, Is.Zero);
            Assert.That(ring.TornRetries, Is.GreaterThan(0), "draws of the slot being written were retried, not returned");
        });
    }
}
