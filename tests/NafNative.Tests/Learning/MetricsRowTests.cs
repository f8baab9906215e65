using NafNative.Learning;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

public sealed class MetricsRowTests
{
    private static readonly MetricsRow Sample = new(12.5, 4000, 3000, 250, 333, 4000, 40, -12.25, 0.5, 7, 0.125f, 9,
        SupersededInserts: 3, TornRetries: 17, PhysicsResets: 2, NonFiniteUpdates: 4, CheckpointFailures: 1);

    [Test]
    public void ToCsv_ThenParse_RoundTripsEveryColumn()
    {
        string line = Sample.ToCsv();
        Assert.Multiple(() =>
        {
            Assert.That(line.Split(',').Length, Is.EqualTo(MetricsRow.Header.Split(',').Length), "one value per header column");
            Assert.That(MetricsRow.Parse(line), Is.EqualTo(Sample));
        });
    }

    [Test]
    public void Header_NamesTheReplayPhysicsAndLearnerCounters() =>
        Assert.That(MetricsRow.Header.Split(','),
            Does.Contain("superseded_inserts").And.Contain("torn_retries").And.Contain("physics_resets").And.Contain("nonfinite_updates").And.Contain("checkpoint_failures"));

    [Test]
    public void Parse_RowFromBeforeTheReplayCounters_ReadsThemAsZero()
    {
        var old = MetricsRow.Parse("12.5,4000,3000,250,333,4000,40,-12.25,0.5,7,0.125,9");
        Assert.That(old, Is.EqualTo(Sample with { SupersededInserts = 0, TornRetries = 0, PhysicsResets = 0, NonFiniteUpdates = 0, CheckpointFailures = 0 }));
    }
}
