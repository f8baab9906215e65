using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NafNative.Learning;
using NafNative.Replay;

namespace NafNative.Naf.Gpu;

// The update step: a batch packed into its staging buffer and enqueued, and the loss window downloaded once per
// K updates (see the class remarks).
public sealed partial class GpuNafTrainer
{
    float IUpdateStep.Update(ReplayBatch batch) => Step(batch);

    /// <summary>One full update on a sampled replay batch (its Size must equal <see cref="BatchSize"/>).</summary>
    public float Step(ReplayBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Size != Options.BatchSize)
            ThrowBatchSize(batch.Size);
        return Step(batch.Observations, batch.Actions, batch.Rewards, batch.NextObservations, batch.Terminated);
    }

    /// <summary>One full update, enqueued; returns the last known TD loss (before its update), which lags by up to
    /// <see cref="LossWindow"/> − 1 updates (see <see cref="SynchronizeLoss"/>). Shapes as <see cref="NafTrainer.Step(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    public float Step(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> terminated)
    {
        ThrowIfDisposed();
        int b = Options.BatchSize, obs = Options.ObservationSize, n = Options.ActionSize;
        BatchShape.Check(Options, "GpuNafTrainer.Step", observations.Length, actions.Length, rewards.Length, nextObservations.Length,
            terminated.Length, _batchFloats);
        Bind();

        // Pack into the page-locked staging buffer: [x | x′ | u | r | terminated] (x and x′ adjacent: one [2B × obs]
        // input for the joint online/target forward pass).
        int slot = _inFlight;
        var stagingBuffer = _staging[slot];
        Span<float> staging = stagingBuffer.Span;
        observations.CopyTo(staging);
        nextObservations.CopyTo(staging.Slice(b * obs));
        actions.CopyTo(staging.Slice(2 * b * obs));
        rewards.CopyTo(staging.Slice(2 * b * obs + b * n));
        terminated.CopyTo(staging.Slice(2 * b * obs + b * n + b));
        _batch.View.CopyFromPageLockedAsync(_accelerator.DefaultStream, stagingBuffer);

        Steps++;
        EnqueueUpdate(Steps, _lossRing.View.SubView(2 * slot, 2));
        _inFlight = slot + 1;
        // A full window: wait for it, read its losses, free its staging buffers.
        if (_inFlight == LossWindow) Flush();
        return LastLoss;
    }

    // Synchronises the stream and downloads the loss ring (one copy) when updates are in flight; afterwards every
    // staging buffer is free and LastLoss/LastGradientNorm are those of the last enqueued update.
    private void Flush()
    {
        Bind();
        if (_inFlight == 0)
        {
            _accelerator.DefaultStream.Synchronize();
            return;
        }
        _lossRing.View.CopyToPageLockedAsync(_accelerator.DefaultStream, _lossHost);
        _accelerator.DefaultStream.Synchronize();
        Span<float> ring = _lossHost.Span;
        int last = _inFlight - 1;
        LastLoss = ring[2 * last];
        LastGradientNorm = ring[2 * last + 1];
        // The Adam/Polyak kernel skipped exactly the updates whose (loss, ‖g‖) is not finite; count them in order.
        bool tooMany = false;
        for (int k = 0; k < _inFlight; k++)
        {
            if (float.IsFinite(ring[2 * k]) && float.IsFinite(ring[2 * k + 1]))
            {
                ConsecutiveNonFiniteUpdates = 0;
                continue;
            }
            NonFiniteUpdates++;
            tooMany |= ++ConsecutiveNonFiniteUpdates >= Options.MaxConsecutiveNonFiniteUpdates;
        }
        _inFlight = 0;
        if (tooMany) NafTrainer.ThrowNonFinite(ConsecutiveNonFiniteUpdates, Steps, LastLoss, LastGradientNorm, Options);
    }

    /// <summary>Waits for every enqueued update and returns the exact loss of the last one (also refreshing
    /// <see cref="LastLoss"/> and <see cref="LastGradientNorm"/>).</summary>
    public float SynchronizeLoss()
    {
        ThrowIfDisposed();
        Flush();
        return LastLoss;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBatchSize(int size) =>
        throw new ArgumentException(
            $"GpuNafTrainer.Step: a batch of {size} transitions does not fit the staging buffer and activations, sized for BatchSize = " +
            $"{Options.BatchSize} ({_batchFloats} floats: [x | x′ | u | r | terminated] with obs {Options.ObservationSize}, actions " +
            $"{Options.ActionSize}); sample batches of exactly {Options.BatchSize} or build the trainer with that batch size.", "batch");
}
