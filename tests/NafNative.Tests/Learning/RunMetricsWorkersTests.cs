using NafNative.Learning;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

[TestFixture]
public sealed class RunMetricsWorkersTests
{
    [Test]
    public void ReadWorkers_EachWorkersOwnRecentEpisodes_SoALaggingRobotShows()
    {
        var metrics = new RunMetrics(workers: 3, episodeHistory: 100);
        for (int i = 0; i < 30; i++)
        {
            metrics.RecordStep(0, false);
            metrics.RecordEpisode(0, episodeReturn: 10, success: true, steps: 100, staleness: 1);
            metrics.RecordEpisode(1, episodeReturn: i < 25 ? -5 : 5, success: i >= 25, steps: 100, staleness: 1);
        }

        var workers = metrics.ReadWorkers(recentEpisodes: 10);

        Assert.Multiple(() =>
        {
            Assert.That(workers.Select(w => w.Worker), Is.EqualTo(new[] { 0, 1, 2 }));
            Assert.That(workers[0].Steps, Is.EqualTo(30));
            Assert.That((workers[0].SuccessRate, workers[0].MeanReturn, workers[0].Episodes), Is.EqualTo((1.0, 10.0, 10)));
            Assert.That(workers[1].SuccessRate, Is.EqualTo(0.5), "its last 10: five failures, then five successes");
            Assert.That(workers[1].MeanReturn, Is.EqualTo(0.0));
            Assert.That(workers[2].Episodes, Is.Zero, "a worker with no finished episode");
            Assert.That(workers[2].SuccessRate, Is.NaN);
        });
    }

    [Test]
    public void RunFolder_AppendWorkers_OneLinePerWorkerUnderTheHeader()
    {
        string root = Directory.CreateTempSubdirectory("naf-workers-").FullName;
        try
        {
            var run = RunFolder.Create(Path.Combine(root, "r"));
            run.AppendWorkers(2.5, [new WorkerSummary(0, 100, 1.5, 0.5, 4), new WorkerSummary(1, 90, double.NaN, double.NaN, 0)]);
            Assert.That(File.ReadAllLines(run.WorkersPath), Is.EqualTo(new[] { RunFolder.WorkersHeader, "2.5,0,100,4,1.5,0.5", "2.5,1,90,0,," }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
