using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Grpc.Core;
using NafNative.Remote.Protocol;

namespace NafNative.Remote.Server;

// Design:
// - Kestrel runs handlers on thread-pool threads, any number at once. Shared state is the replay ring (lock-free
//   Insert), the snapshot publisher (acquire load) and the per-worker slot (its lock, taken once per batch).
// - A batch is checked whole before any of it is inserted, so a malformed batch leaves no trace and only its
//   sender sees the error; other workers' calls are independent.

/// <summary>The learner's gRPC handlers: register, insert a batch of transitions, fetch the newest parameters.</summary>
internal sealed class LearnerService(LearnerState state) : Protocol.Learner.LearnerBase
{
    /// <summary>The wire protocol's version; a worker speaking another is refused with both numbers.</summary>
    public const uint Protocol = 1;

    public override Task<RegisterReply> Register(RegisterRequest request, ServerCallContext context)
    {
        var run = state.Run;
        string? mismatch =
            request.Protocol != Protocol ? $"protocol {request.Protocol}, this learner speaks {Protocol}"
            : request.Task != run.Task ? $"task '{request.Task}', this learner trains '{run.Task}'"
            : request.ObservationSize != run.Network.ObservationSize || request.ActionSize != run.Network.ActionSize
                ? $"observation/action sizes {request.ObservationSize}/{request.ActionSize}, the learner's are {run.Network.ObservationSize}/{run.Network.ActionSize}"
            : !UnitBounds(request.ActionLow, -1f, run.Network.ActionSize) || !UnitBounds(request.ActionHigh, 1f, run.Network.ActionSize)
                ? $"action bounds [{string.Join(' ', request.ActionLow)}]..[{string.Join(' ', request.ActionHigh)}], the learner's are [-1, 1] per dimension"
            : null;
        if (mismatch is not null) Refuse(context, StatusCode.FailedPrecondition, $"registration of '{Short(request.Name)}' refused: {mismatch}");
        if (request.WorkerKey.Length is < 8 or > 64 || request.Name.Length is 0 or > 100 || request.Name.Any(char.IsControl))
            Refuse(context, StatusCode.InvalidArgument, "registration refused: worker_key must have 8–64 characters and name 1–100 printable ones");
        var slot = state.Register(request.WorkerKey, request.Name, context.Peer);
        if (slot is null)
            Refuse(context, StatusCode.ResourceExhausted, $"registration of '{Short(request.Name)}' refused: all {state.Options.MaxWorkers} remote worker slots are in use (naf learner --max-workers)");
        ulong last;
        lock (slot.Lock) last = slot.LastSequence;
        state.Options.Log?.Invoke($"worker {slot.Id} '{request.Name}' registered from {context.Peer} (slot {slot.Index}, last batch {last})");
        return Task.FromResult(new RegisterReply
        {
            WorkerId = slot.Id, LearnerSession = state.Session, LastAcceptedSequence = last, Settings = state.Options.Settings,
            MaxBatchTransitions = state.Options.MaxBatchTransitions,
        });
    }

    public override async Task<InsertReply> Insert(TransitionBatch batch, ServerCallContext context)
    {
        var slot = Known(batch.WorkerId, batch.LearnerSession, context);
        Check(batch, context);
        var run = state.Run;
        // Back-pressure: the updates-per-insert limiter holds remote inserts as it holds in-process workers; the
        // worker's call simply takes longer (it waits between episodes, never mid-episode).
        while (!run.Limiter.MayInsert(run.Metrics.Updates, run.Ring.Inserted))
        {
            if (run.Stopping.IsCancellationRequested) Refuse(context, StatusCode.Unavailable, "the learner is stopping", log: false);
            await Task.Delay(1, context.CancellationToken).ConfigureAwait(false);
            LearnerState.Touch(slot);
        }
        lock (slot.Lock)
        {
            LearnerState.Touch(slot);
            if (batch.Sequence <= slot.LastSequence)
            {
                slot.Duplicates++;
                return new InsertReply { AcceptedSequence = slot.LastSequence, Duplicate = true };
            }
            var data = MemoryMarshal.Cast<byte, float>(batch.Data.Span);
            int obs = run.Ring.ObservationSize, act = run.Ring.ActionSize, stride = state.Stride;
            for (int i = 0; i < batch.Count; i++)
            {
                var t = data.Slice(i * stride, stride);
                run.Ring.Insert(t[..obs], t.Slice(obs, act), run.RewardScale * t[obs + act], t.Slice(obs + act + 1, obs), t[stride - 2] != 0, t[stride - 1] != 0);
            }
            int metricsSlot = run.FirstSlot + slot.Index;
            run.Metrics.RecordSteps(metricsSlot, batch.Steps, batch.SafetyInterventions, batch.DiscardedSteps);
            long updates = run.Metrics.TrainerUpdates;
            foreach (var e in batch.Episodes)
            {
                long staleness = Math.Max(0, updates - e.SnapshotUpdates);
                run.Metrics.RecordEpisode(metricsSlot, e.EpisodeReturn, e.Success, e.Steps, staleness);
                slot.Staleness = staleness;
                slot.Episodes++;
            }
            slot.LastSequence = batch.Sequence;
            slot.Steps += batch.Steps;
            slot.Transitions += batch.Count;
            slot.Batches++;
            return new InsertReply { AcceptedSequence = batch.Sequence };
        }
    }

    public override Task<SnapshotReply> GetSnapshot(SnapshotRequest request, ServerCallContext context)
    {
        var slot = Known(request.WorkerId, request.LearnerSession, context);
        LearnerState.Touch(slot);
        var latest = state.LatestSnapshot();
        if (request.HaveVersion >= latest.Snapshot.Version)
            return Task.FromResult(new SnapshotReply { Version = latest.Snapshot.Version, UpdateCount = latest.Snapshot.UpdateCount, Unchanged = true, LearnerSession = state.Session });
        return Task.FromResult(new SnapshotReply { Version = latest.Snapshot.Version, UpdateCount = latest.Snapshot.UpdateCount, Values = latest.Bytes, LearnerSession = state.Session });
    }

    private RemoteWorkerSlot Known(int workerId, string session, ServerCallContext context)
    {
        // The client treats FailedPrecondition on these calls as "register again" (after a learner restart or when
        // its slot was given away).
        if (session != state.Session)
            Refuse(context, StatusCode.FailedPrecondition, $"register again: session {Short(session)} is not this learner's (it restarted)", log: false);
        return state.Slot(workerId)
            ?? Refuse<RemoteWorkerSlot>(context, StatusCode.FailedPrecondition, $"register again: worker {workerId} is not registered", log: false);
    }

    // Every field a sender controls, before anything is inserted.
    private void Check(TransitionBatch b, ServerCallContext context)
    {
        int stride = state.Stride, max = state.Options.MaxBatchTransitions;
        string? bad =
            b.Sequence == 0 ? "sequence must start at 1"
            : b.Count < 1 || b.Count > max ? $"count {b.Count} is outside [1, {max}]"
            : b.Data.Length != (long)b.Count * stride * sizeof(float) ? $"data has {b.Data.Length} bytes, {b.Count} transitions of {stride} floats need {(long)b.Count * stride * sizeof(float)}"
            : b.Steps < b.Count || b.SafetyInterventions < 0 || b.SafetyInterventions > b.Steps || b.DiscardedSteps < 0 || b.DiscardedSteps > b.Steps
                ? $"step counts (steps {b.Steps}, interventions {b.SafetyInterventions}, discarded {b.DiscardedSteps}) do not fit {b.Count} transitions"
            : b.Episodes.Count > b.Steps ? $"{b.Episodes.Count} episodes in {b.Steps} steps"
            : System.IO.Hashing.Crc32.HashToUInt32(b.Data.Span) != b.Crc32 ? "data checksum does not match crc32"
            : null;
        if (bad is null)
        {
            var data = MemoryMarshal.Cast<byte, float>(b.Data.Span);
            if (!TensorPrimitives.IsFiniteAll(data)) bad = "a value is NaN or infinite";
            for (int i = 0; bad is null && i < b.Count; i++)
            {
                float terminated = data[i * stride + stride - 2], truncated = data[i * stride + stride - 1];
                if (terminated is not (0f or 1f) || truncated is not (0f or 1f)) bad = $"transition {i}: terminated/truncated must be 0 or 1";
            }
            foreach (var e in b.Episodes)
                if (bad is null && (!float.IsFinite(e.EpisodeReturn) || e.Steps < 0 || e.SnapshotUpdates < 0)) bad = "an episode summary is malformed";
        }
        if (bad is not null) Refuse(context, StatusCode.InvalidArgument, $"batch {b.Sequence} of worker {b.WorkerId} refused: {bad}");
    }

    private static bool UnitBounds(Google.Protobuf.Collections.RepeatedField<float> bounds, float value, int size)
    {
        if (bounds.Count != size) return false;
        foreach (float b in bounds) if (b != value) return false;
        return true;
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Refuse(ServerCallContext context, StatusCode code, string message, bool log = true) => Refuse<object>(context, code, message, log);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private T Refuse<T>(ServerCallContext context, StatusCode code, string message, bool log = true)
    {
        if (log) state.Refused($"{context.Method} from {context.Peer}: {message}");
        throw new RpcException(new Status(code, message));
    }
}
