using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Tests.Replay;

/// <summary><see cref="PrioritySumTree"/> against a linear scan of the same priorities.</summary>
public sealed class PrioritySumTreeTests
{
    [TestCase(1)]
    [TestCase(8)]
    [TestCase(1024)]
    public void SetAndFind_RandomPriorities_MatchALinearScan(int leaves)
    {
        var rng = new Random(TestData.SeedFor(950, leaves));
        var tree = new PrioritySumTree(leaves);
        var reference = new double[leaves];
        for (int update = 0; update < 4 * leaves + 50; update++)
        {
            int i = rng.Next(leaves);
            // Some zeros, so the search must step over empty leaves and subtrees.
            double p = rng.Next(4) == 0 ? 0 : rng.NextDouble() * 10;
            tree.Set(i, p);
            reference[i] = p;
        }
        if (reference.Sum() == 0) { tree.Set(0, 1); reference[0] = 1; }

        Assert.That(tree.Total, Is.EqualTo(reference.Sum()).Within(1e-9 * reference.Sum()));
        for (int i = 0; i < leaves; i++) Assert.That(tree[i], Is.EqualTo(reference[i]));
        for (int k = 0; k < 2000; k++)
        {
            double u = rng.NextDouble() * tree.Total;
            int expected = LinearFind(reference, u);
            int found = tree.Find(u);
            // At an interval's exact edge rounding may pick the neighbour; never a zero leaf.
            Assert.That(reference[found], Is.GreaterThan(0), $"Find({u}) gave leaf {found} of priority 0");
            if (found != expected)
            {
                double edge = reference.Take(Math.Max(found, expected)).Sum();
                Assert.That(Math.Abs(u - edge), Is.LessThan(1e-9 * tree.Total), $"Find({u}) = {found}, linear scan {expected}");
            }
        }
    }

    [Test]
    public void Find_ValueAtOrPastTheTotal_GivesTheLastPositiveLeaf()
    {
        var tree = new PrioritySumTree(8);
        tree.Set(2, 1.5);
        tree.Set(5, 0.5);
        Assert.Multiple(() =>
        {
            Assert.That(tree.Find(0), Is.EqualTo(2));
            Assert.That(tree.Find(1.49), Is.EqualTo(2));
            Assert.That(tree.Find(1.5), Is.EqualTo(5));
            Assert.That(tree.Find(2.0), Is.EqualTo(5), "value = total (rounding of u·total)");
            Assert.That(tree.Find(7.0), Is.EqualTo(5));
        });
    }

    [Test]
    public void ManyUpdates_TotalStaysTheExactSumOfTheLeaves()
    {
        // Parents are recomputed from their children, not nudged by deltas, so no drift accumulates.
        var tree = new PrioritySumTree(64);
        var rng = new Random(TestData.SeedFor(951));
        for (int k = 0; k < 200_000; k++) tree.Set(rng.Next(64), rng.NextDouble() * 1e3);
        double sum = 0;
        for (int i = 0; i < 32; i++) sum += tree[i];
        double right = 0;
        for (int i = 32; i < 64; i++) right += tree[i];
        Assert.That(tree.Total, Is.EqualTo(sum + right).Within(1e-9 * tree.Total));
    }

    [Test]
    public void BadInput_IsRefusedNamingTheValueAndLeavesTheTreeUnchanged()
    {
        var tree = new PrioritySumTree(4);
        tree.Set(1, 2);
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => tree.Set(1, double.NaN))!.Message, Does.Contain("leaf 1"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => tree.Set(1, -1))!.Message, Does.Contain("≥ 0"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => tree.Set(4, 1))!.Message, Does.Contain("[0, 4)"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PrioritySumTree(6))!.Message, Does.Contain("power of two"));
            Assert.That(Assert.Throws<InvalidOperationException>(() => new PrioritySumTree(2).Find(0))!.Message, Does.Contain("every priority is 0"));
        });
        Assert.That(tree.Total, Is.EqualTo(2));
    }

    private static int LinearFind(double[] p, double u)
    {
        double running = 0;
        int last = -1;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] <= 0) continue;
            last = i;
            running += p[i];
            if (u < running) return i;
        }
        return last;
    }
}
