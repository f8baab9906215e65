using NafNative.Replay;

namespace NafNative.Learning;

/// <summary>What the learner runs on each sampled batch: one optimisation step of some off-policy method
/// (NAF's <see cref="Naf.NafTrainer"/>, or anything else with a flat parameter vector).</summary>
/// <remarks>Called from the learner thread only.</remarks>
public interface IUpdateStep
{
    /// <summary>Transitions per update; the learner samples batches of this size.</summary>
    int BatchSize { get; }

    /// <summary>Updates run so far, including skipped ones (<see cref="NonFiniteUpdates"/>).</summary>
    long Steps { get; }

    /// <summary>Updates skipped so far because their loss or gradient was NaN or ±∞ (parameters left unchanged).</summary>
    long NonFiniteUpdates { get; }

    /// <summary>The current online parameters, copied into each published snapshot.</summary>
    ReadOnlySpan<float> Parameters { get; }

    /// <summary>One update on <paramref name="batch"/>; returns its loss.</summary>
    float Update(ReplayBatch batch);
}
