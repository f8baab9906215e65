using NafNative.Replay;

namespace NafNative.Learning;

/// <summary>An update step that prioritised replay can drive: it weights each row's loss and reports each row's TD
/// error afterwards (see <see cref="PrioritizedSampler"/>).</summary>
/// <remarks>Called from the learner thread only.</remarks>
public interface IPrioritizedUpdateStep : IUpdateStep
{
    /// <summary>One update on <paramref name="batch"/> whose squared TD error of row b is weighted by
    /// <paramref name="weights"/>[b]; returns the weighted loss.</summary>
    float Update(ReplayBatch batch, ReadOnlySpan<float> weights);

    /// <summary>Q − y of each row of the last update's batch (NaN rows when its targets were not finite).</summary>
    ReadOnlySpan<float> LastTdErrors { get; }
}
