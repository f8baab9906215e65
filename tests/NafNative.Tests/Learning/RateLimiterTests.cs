using NafNative.Learning;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class RateLimiterTests
{
    [Test]
    public void NoRatio_NeverHoldsEitherSide()
    {
        var limiter = new RateLimiter(null, minReplayFill: 10, insertSlack: 0);
        Assert.Multiple(() =>
        {
            Assert.That(limiter.MayUpdate(updates: 1_000_000, inserted: 10, replayCount: 10), Is.True);
            Assert.That(limiter.MayUpdate(updates: 0, inserted: 9, replayCount: 9), Is.False, "the replay must be filled first");
            Assert.That(limiter.MayInsert(updates: 0, inserted: 1_000_000), Is.True);
        });
    }

    [Test]
    public void Ratio_HoldsUpdatesAndInsertsWithinTheSlack()
    {
        var limiter = new RateLimiter(2.0, minReplayFill: 10, insertSlack: 4);
        Assert.Multiple(() =>
        {
            Assert.That(limiter.MayUpdate(updates: 39, inserted: 20, replayCount: 20), Is.True, "39 < 2·20");
            Assert.That(limiter.MayUpdate(updates: 40, inserted: 20, replayCount: 20), Is.False);
            Assert.That(limiter.MayInsert(updates: 20, inserted: 23), Is.True, "23 < 10 + 20/2 + 4");
            Assert.That(limiter.MayInsert(updates: 20, inserted: 24), Is.False);
        });
    }

    [Test]
    public void RestoredReplay_CountsOnlyThisRunsInserts()
    {
        // A resumed run's ring starts with 5,000 restored transitions: they must not let the learner run 5,000 updates
        // ahead of the workers, nor hold the workers as if they had inserted them.
        var limiter = new RateLimiter(1.0, minReplayFill: 100, insertSlack: 0, insertedBefore: 5_000);
        Assert.Multiple(() =>
        {
            Assert.That(limiter.MayUpdate(updates: 0, inserted: 5_000, replayCount: 5_000), Is.False, "no insert of this run yet");
            Assert.That(limiter.MayUpdate(updates: 0, inserted: 5_001, replayCount: 5_001), Is.True);
            Assert.That(limiter.MayInsert(updates: 0, inserted: 5_099), Is.True, "99 of this run's inserts < 100 + 0");
            Assert.That(limiter.MayInsert(updates: 0, inserted: 5_100), Is.False);
        });
    }

    [Test]
    public void BadArguments_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(double.NaN, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(1, 1, 0, insertedBefore: -1));
    }
}
