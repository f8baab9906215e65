using Grpc.Core;
using NafNative.Remote.Client;
using NafNative.Remote.Protocol;
using NafNative.Remote.Security;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>The learner service and the worker client in one process, over loopback: registration, refusals,
/// malformed and oversized batches, and the delivery guarantee under lost replies.</summary>
[CancelAfter(60_000)]
public sealed class LearnerServiceTests
{
    [Test]
    public void Register_MatchingWorker_GetsSettingsSlotAndFirstSnapshot()
    {
        using var learner = new TestLearner();
        using var channel = RemoteChannel.Create(learner.Url);
        var connection = learner.Connect(channel, new ChecksumEnvironment(1), name: "arm-1");
        var reply = connection.Register(CancellationToken.None);
        var snapshot = connection.Snapshot(0, CancellationToken.None);
        var again = connection.Snapshot(snapshot.Version, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(reply.WorkerId, Is.GreaterThan(0));
            Assert.That(reply.Settings.HiddenSizes, Is.EqualTo(new[] { 8 }));
            Assert.That(reply.Settings.NoiseInitial, Is.EqualTo(0.3f));
            Assert.That(snapshot.Version, Is.EqualTo(1));
            Assert.That(snapshot.Values.Length, Is.EqualTo(learner.Publisher.Latest!.Values.Length * sizeof(float)));
            Assert.That(again.Unchanged, Is.True, "the parameters are sent only when newer than the worker's");
            Assert.That(learner.LogLines(), Has.Some.Contains("'arm-1' registered"));
        });
    }

    [Test]
    public void Snapshot_VersionFromAnotherSession_CountsAsNoneSoTheParametersCome()
    {
        // A worker that held version 5 of a learner that since restarted (versions count from 1 again) must not keep
        // the old learner's parameters until the new one's versions pass 5.
        using var learner = new TestLearner();
        for (int i = 0; i < 4; i++) learner.Publisher.Publish(learner.Publisher.Latest!.Values, i + 1);
        using var channel = RemoteChannel.Create(learner.Url);
        var connection = learner.Connect(channel, new ChecksumEnvironment(1));
        connection.Register(CancellationToken.None);
        var current = connection.Snapshot(0, null, CancellationToken.None);
        var sameSession = connection.Snapshot(current.Version, current.LearnerSession, CancellationToken.None);
        var oldSession = connection.Snapshot(current.Version + 10, "a-learner-that-restarted", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(current.Version, Is.EqualTo(5));
            Assert.That(sameSession.Unchanged, Is.True);
            Assert.That(oldSession.Unchanged, Is.False);
            Assert.That(oldSession.Values.Length, Is.GreaterThan(0));
        });
    }

    [TestCase(4, 1, "observation/action sizes 4/1, the learner's are 3/1")]
    [TestCase(3, 2, "observation/action sizes 3/2, the learner's are 3/1")]
    public void Register_SizeMismatch_RefusedWithTheReason(int observation, int action, string reason)
    {
        using var learner = new TestLearner();
        using var channel = RemoteChannel.Create(learner.Url);
        var request = RemoteChannel.Describe(new ChecksumEnvironment(1), "checksum", "wrong-arm");
        request.ObservationSize = observation;
        request.ActionSize = action;
        while (request.ActionLow.Count < action) { request.ActionLow.Add(-1); request.ActionHigh.Add(1); }
        var connection = new LearnerConnection(channel, TestLearner.Token, request);
        var e = Assert.Throws<RemoteRefusedException>(() => connection.Register(CancellationToken.None));
        Assert.That(e!.Message, Does.Contain(reason));
        Assert.That(learner.LogLines(), Has.Some.Contains("refused").And.Contains(reason), "the refusal is logged");
    }

    [Test]
    public void Register_OtherTask_RefusedWithTheReason()
    {
        using var learner = new TestLearner(task: "reach");
        using var channel = RemoteChannel.Create(learner.Url);
        var e = Assert.Throws<RemoteRefusedException>(() => learner.Connect(channel, new ChecksumEnvironment(1), task: "checksum").Register(CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("task 'checksum', this learner trains 'reach'"));
    }

    [TestCase(null, "no token")]
    [TestCase("wrong-token-0123456789abcdef", "wrong token")]
    public void AnyCall_NoOrWrongToken_RefusedAndLogged(string? token, string why)
    {
        using var learner = new TestLearner();
        using var channel = RemoteChannel.Create(learner.Url);
        var client = new Protocol.Learner.LearnerClient(channel);
        var headers = token is null ? new Metadata() : new Metadata { { "authorization", "Bearer " + token } };
        var register = Assert.Throws<RpcException>(() => client.Register(RemoteChannel.Describe(new ChecksumEnvironment(1), "checksum", "x"), headers));
        var snapshot = Assert.Throws<RpcException>(() => client.GetSnapshot(new SnapshotRequest(), headers));
        var insert = Assert.Throws<RpcException>(() => client.Insert(new TransitionBatch(), headers));
        Assert.Multiple(() =>
        {
            foreach (var e in new[] { register!, snapshot!, insert! })
            {
                Assert.That(e.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
                Assert.That(e.Status.Detail, Does.StartWith(why));
            }
            Assert.That(learner.Server.Refusals, Is.EqualTo(3));
            Assert.That(learner.LogLines().Count(l => l.Contains("refused") && l.Contains(why)), Is.EqualTo(3));
            Assert.That(learner.Ring.Inserted, Is.Zero);
        });
    }

    [Test]
    public void Worker_WrongToken_StopsWithTheLearnersReason()
    {
        using var learner = new TestLearner();
        using var channel = RemoteChannel.Create(learner.Url);
        var worker = new RemoteWorker(new ChecksumEnvironment(1), learner.Connect(channel, new ChecksumEnvironment(1), token: new SharedToken("another-token-0123456789")));
        var failure = TestLearner.RunUntil(worker, () => false, TimeSpan.FromSeconds(10));
        Assert.That(failure, Is.TypeOf<RemoteRefusedException>().With.Message.Contains("wrong token"));
    }

    [Test]
    public void Insert_OversizedMessage_RefusedWhileAnotherWorkerCarriesOn()
    {
        using var learner = new TestLearner(maxBatch: 64);
        using var channel = RemoteChannel.Create(learner.Url);
        var good = learner.Connect(channel, new ChecksumEnvironment(1), name: "good");
        var bad = learner.Connect(channel, new ChecksumEnvironment(2), name: "bad");
        good.Register(CancellationToken.None);
        bad.Register(CancellationToken.None);
        // Far over the receive limit (64 transitions of 10 floats + 64 KiB): refused before it is parsed.
        var huge = new TransitionBatch { Sequence = 1, Count = 64, Data = Google.Protobuf.ByteString.CopyFrom(new byte[1 << 20]) };
        var e = Assert.Throws<RemoteRefusedException>(() => bad.Insert(huge, CancellationToken.None));
        Assert.That(((RpcException)e!.InnerException!).StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        var reply = good.Insert(Batch(tag: 1, first: 0, count: 64, sequence: 1), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(reply.AcceptedSequence, Is.EqualTo(1));
            Assert.That(ChecksumEnvironment.Audit(learner.Ring), Is.EqualTo(new Dictionary<int, int> { [1] = 64 }));
        });
    }

    [TestCase("crc")]
    [TestCase("nan")]
    [TestCase("length")]
    [TestCase("flag")]
    public void Insert_MalformedBatch_RefusedWholeAndNothingStored(string damage)
    {
        using var learner = new TestLearner();
        using var channel = RemoteChannel.Create(learner.Url);
        var connection = learner.Connect(channel, new ChecksumEnvironment(1));
        connection.Register(CancellationToken.None);
        var batch = Batch(tag: 1, first: 0, count: 10, sequence: 1);
        var bytes = batch.Data.ToByteArray();
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        switch (damage)
        {
            case "crc": bytes[5] ^= 1; break; // one bit flipped on the way
            case "nan": floats[27] = float.NaN; Fix(); break;
            case "length": bytes = bytes[..^4]; Fix(); break;
            case "flag": floats[10 + 8] = 0.5f; Fix(); break;
        }
        void Fix() => batch.Crc32 = System.IO.Hashing.Crc32.HashToUInt32(bytes);
        batch.Data = Google.Protobuf.ByteString.CopyFrom(bytes);
        var e = Assert.Throws<RemoteRefusedException>(() => connection.Insert(batch, CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(((RpcException)e!.InnerException!).StatusCode, Is.EqualTo(StatusCode.InvalidArgument), e.Message);
            Assert.That(learner.Ring.Inserted, Is.Zero, "nothing of a refused batch is stored");
            Assert.That(learner.LogLines(), Has.Some.Contains("batch 1 of worker"));
        });
        // The same worker's next, sound batch is taken: a refusal harms nobody else's (or its own later) calls.
        Assert.That(connection.Insert(Batch(1, 0, 10, 2), CancellationToken.None).AcceptedSequence, Is.EqualTo(2));
    }

    [Test]
    public void Insert_RewardScale_StoredRewardsScaledAsTheInProcessWorkers()
    {
        // reward_scale applies to every stored transition: a remote worker sends the task's reward, the learner scales it.
        using var learner = new TestLearner(rewardScale: 0.25f);
        using var channel = RemoteChannel.Create(learner.Url);
        var connection = learner.Connect(channel, new ChecksumEnvironment(1));
        connection.Register(CancellationToken.None);
        connection.Insert(Batch(tag: 1, first: 0, count: 8, sequence: 1), CancellationToken.None);
        var data = (float[])typeof(NafNative.Replay.ReplayRing).GetField("_data", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(learner.Ring)!;
        var rewards = Enumerable.Range(0, 8).Select(i => data[i * learner.Ring.Stride + 4]).ToArray();
        Assert.That(rewards, Is.EqualTo(Enumerable.Range(0, 8).Select(n => 0.25f * (n % 1000 / 4f)).ToArray()));
    }

    [Test]
    public void Insert_RepliesLost_ResentAndEachTransitionStoredOnce()
    {
        // Every third reply is "lost" after the batch was stored: at-least-once sending, duplicates dropped.
        using var learner = new TestLearner(dropReply: n => n % 3 == 0);
        using var channel = RemoteChannel.Create(learner.Url);
        var workers = new[] { 1, 2 }.Select(tag => new RemoteWorker(new ChecksumEnvironment(tag), learner.Connect(channel, new ChecksumEnvironment(tag), name: $"w{tag}"))
            { FlushEvery = TimeSpan.Zero }).ToArray();
        var threads = workers.Select(w => Task.Run(() => TestLearner.RunUntil(w, () => w.AcknowledgedTransitions >= 5000))).ToArray();
        Task.WaitAll(threads);
        var stored = ChecksumEnvironment.Audit(learner.Ring);
        Assert.Multiple(() =>
        {
            foreach (var t in threads) Assert.That(t.Result, Is.Null);
            for (int i = 0; i < 2; i++)
            {
                Assert.That(workers[i].DuplicateBatches, Is.GreaterThan(0), "lost replies were resent");
                Assert.That(stored[i + 1], Is.EqualTo(workers[i].AcknowledgedTransitions), "each acknowledged transition is stored exactly once");
            }
        });
    }

    [Test]
    public void Insert_LearnerBehind_RateLimiterHoldsRemoteInserts()
    {
        // One update per insert and no updates at all: inserts stop at the minimum fill (plus the batch that crossed it).
        using var learner = new TestLearner(updatesPerInsert: 1.0, minReplayFill: 100);
        using var channel = RemoteChannel.Create(learner.Url);
        var worker = new RemoteWorker(new ChecksumEnvironment(1), learner.Connect(channel, new ChecksumEnvironment(1))) { FlushEvery = TimeSpan.Zero };
        TestLearner.RunUntil(worker, () => false, TimeSpan.FromSeconds(2));
        Assert.That(learner.Ring.Inserted, Is.InRange(100, 100 + 1024), "held at min fill + one batch");
    }

    [Test]
    public void Register_AllSlotsHeld_WaitsUntilASilentWorkersSlotMayBeReused()
    {
        using var learner = new TestLearner(slotReuseAfter: TimeSpan.FromMilliseconds(500));
        using var channel = RemoteChannel.Create(learner.Url);
        var held = Enumerable.Range(1, 4).Select(i => learner.Connect(channel, new ChecksumEnvironment(i), name: $"w{i}")).ToArray();
        foreach (var c in held) c.Register(CancellationToken.None);
        var late = learner.Connect(channel, new ChecksumEnvironment(5), name: "late");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Retried (a slot may free up), not refused for good: it gets the first slot once that worker is silent.
        var reply = late.Register(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(400)));
            Assert.That(late.Retries, Is.GreaterThan(0));
            Assert.That(learner.LogLines(), Has.Some.Contains("all 4 remote worker slots are in use"));
            Assert.That(reply.WorkerId, Is.EqualTo(5), "ids are never reused");
        });
        // The evicted worker is told to register again, and does (into another silent worker's slot).
        Assert.That(held[0].Snapshot(0, CancellationToken.None).Version, Is.EqualTo(1));
        Assert.That(held[0].Registrations, Is.EqualTo(2));
    }

    /// <summary>A batch of ChecksumEnvironment transitions (tag, first..first+count−1).</summary>
    internal static TransitionBatch Batch(int tag, int first, int count, ulong sequence)
    {
        const int stride = 10;
        var floats = new float[count * stride];
        for (int i = 0; i < count; i++)
        {
            int n = first + i;
            new float[] { tag, n, n + 13, 0.5f, n % 1000 / 4f, tag, n + 1, n + 14, 0, 0 }.CopyTo(floats, i * stride);
        }
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        return new TransitionBatch
        {
            Sequence = sequence, Count = count, Steps = count, Data = Google.Protobuf.ByteString.CopyFrom(bytes),
            Crc32 = System.IO.Hashing.Crc32.HashToUInt32(bytes),
        };
    }
}
