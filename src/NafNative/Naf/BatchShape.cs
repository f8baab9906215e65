using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NafNative.Naf;

/// <summary>The check of an update's batch spans against <see cref="NafOptions"/>, one for the CPU and GPU trainers.</summary>
internal static class BatchShape
{
    /// <summary>Throws unless observations and next observations are [B × obs], actions [B × n], rewards and
    /// terminated [B]. <paramref name="stagingFloats"/> (≥ 0) names the GPU trainer's staging buffer in the message.</summary>
    /// <exception cref="ArgumentException">A length is off; the message names every expected and given shape.</exception>
    public static void Check(NafOptions options, string caller, int observations, int actions, int rewards, int nextObservations,
        int terminated, int stagingFloats = -1)
    {
        int b = options.BatchSize;
        if (observations != b * options.ObservationSize || actions != b * options.ActionSize || rewards != b
            || nextObservations != observations || terminated != b)
            Throw(options, caller, observations, actions, rewards, nextObservations, terminated, stagingFloats);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(NafOptions options, string caller, int obs, int act, int rew, int next, int term, int stagingFloats)
    {
        int b = options.BatchSize;
        string staging = stagingFloats >= 0 ? $" (staging buffer {stagingFloats} floats)" : "";
        throw new ArgumentException(
            $"{caller}: batch {b} with obs {options.ObservationSize} and actions {options.ActionSize} needs observations " +
            $"[{b}×{options.ObservationSize}], actions [{b}×{options.ActionSize}], rewards [{b}], next observations " +
            $"[{b}×{options.ObservationSize}], terminated [{b}]{staging}; got [{obs}], [{act}], [{rew}], [{next}], [{term}].");
    }
}
