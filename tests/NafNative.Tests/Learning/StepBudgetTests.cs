using NafNative.Learning;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class StepBudgetTests
{
    /// <summary>Sixteen threads claiming as fast as they can: exactly the limit succeeds, none twice, none lost, and
    /// claims after the budget is spent keep failing.</summary>
    [Test]
    public void TryClaim_SixteenThreads_ExactlyTheLimitSucceeds()
    {
        const long limit = 200_000;
        var budget = new StepBudget(limit);
        var granted = new long[16];
        using var start = new Barrier(granted.Length);
        var threads = Enumerable.Range(0, granted.Length).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            // Each thread asks well past the end, so refusals race successes at the boundary.
            for (int i = 0; i < limit / 4; i++)
                if (budget.TryClaim()) granted[t]++;
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();

        Assert.Multiple(() =>
        {
            Assert.That(granted.Sum(), Is.EqualTo(limit));
            Assert.That(budget.Claimed, Is.EqualTo(limit));
            Assert.That(budget.Spent, Is.True);
            Assert.That(budget.TryClaim(), Is.False);
        });
    }

    [Test]
    public void TryClaim_ZeroLimit_SpentFromTheStart()
    {
        var budget = new StepBudget(0);
        Assert.Multiple(() =>
        {
            Assert.That(budget.Spent, Is.True);
            Assert.That(budget.TryClaim(), Is.False);
            Assert.That(budget.Claimed, Is.Zero);
        });
    }

    [Test]
    public void Constructor_NegativeLimit_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepBudget(-1));
}
