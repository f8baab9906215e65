using System.Runtime.InteropServices;
using Google.Protobuf;
using NafNative.Remote.Protocol;

namespace NafNative.Remote.Client;

/// <summary>Packs one worker's transitions into the replay ring's slot layout (obs, action, reward, next obs,
/// terminated, truncated) in one reusable buffer; <see cref="ToMessage"/> wraps that buffer without copying.</summary>
/// <remarks>One thread. The message returned aliases the buffer, so it must be sent (and acknowledged) before the
/// next <see cref="Clear"/>; <see cref="RemoteWorker"/> sends synchronously, so it is.</remarks>
internal sealed class TransitionBatcher
{
    // Bytes, viewed as floats while filling: a byte[] can go into a message without a copy.
    private readonly byte[] _data;
    private readonly int _observationSize, _actionSize, _stride;
    private readonly List<EpisodeSummary> _episodes = [];
    private int _steps, _interventions, _discarded;

    public TransitionBatcher(int capacity, int observationSize, int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _observationSize = observationSize;
        _actionSize = actionSize;
        _stride = 2 * observationSize + actionSize + 3;
        Capacity = capacity;
        _data = new byte[checked(capacity * _stride * sizeof(float))];
    }

    public int Capacity { get; }
    public int Count { get; private set; }
    public bool IsFull => Count == Capacity;

    public void CountStep(bool safetyIntervened, bool discarded)
    {
        _steps++;
        if (safetyIntervened) _interventions++;
        if (discarded) _discarded++;
    }

    public void Add(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward, ReadOnlySpan<float> next, bool terminated, bool truncated)
    {
        var slot = MemoryMarshal.Cast<byte, float>(_data.AsSpan()).Slice(Count * _stride, _stride);
        observation.CopyTo(slot);
        action.CopyTo(slot[_observationSize..]);
        slot[_observationSize + _actionSize] = reward;
        next.CopyTo(slot[(_observationSize + _actionSize + 1)..]);
        slot[_stride - 2] = terminated ? 1f : 0f;
        slot[_stride - 1] = truncated ? 1f : 0f;
        Count++;
    }

    /// <summary>Marks the last transition as the end of a truncated episode (an episode cut short: the learner still
    /// bootstraps from it, and the episode's end is visible in the replay).</summary>
    public void MarkLastTruncated()
    {
        if (Count == 0) throw new InvalidOperationException("TransitionBatcher: no transition to mark.");
        MemoryMarshal.Cast<byte, float>(_data.AsSpan())[Count * _stride - 1] = 1f;
    }

    public void AddEpisode(float episodeReturn, bool success, int steps, long snapshotUpdates) =>
        _episodes.Add(new EpisodeSummary { EpisodeReturn = episodeReturn, Success = success, Steps = steps, SnapshotUpdates = snapshotUpdates });

    public TransitionBatch ToMessage(ulong sequence)
    {
        var bytes = _data.AsMemory(0, Count * _stride * sizeof(float));
        var message = new TransitionBatch
        {
            Sequence = sequence, Count = Count, Steps = Math.Max(_steps, Count), SafetyInterventions = _interventions, DiscardedSteps = _discarded,
            // No copy: the buffer is not touched again until the batch is acknowledged (see remarks).
            Data = UnsafeByteOperations.UnsafeWrap(bytes),
            Crc32 = System.IO.Hashing.Crc32.HashToUInt32(bytes.Span),
        };
        message.Episodes.AddRange(_episodes);
        return message;
    }

    public void Clear()
    {
        Count = 0;
        _steps = _interventions = _discarded = 0;
        _episodes.Clear();
    }
}
