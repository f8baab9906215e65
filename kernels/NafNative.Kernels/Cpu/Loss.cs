namespace NafNative.Kernels.Cpu;

/// <summary>Mean squared error, the NAF temporal-difference loss: L = (1/n) Σ (p − t)², and its importance-weighted
/// form L = (1/n) Σ wᵢ (pᵢ − tᵢ)² for prioritised replay.</summary>
public static class Loss
{
    /// <summary>Returns (1/n) Σ (prediction − target)²; 0 for empty spans.</summary>
    /// <exception cref="ArgumentException">Lengths differ, or a target is NaN/±∞ (a poisoned TD target).</exception>
    public static float MeanSquaredError(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check.Same("Loss.MeanSquaredError", "prediction", prediction.Length, "target", target.Length);
        Check.Finite("Loss.MeanSquaredError", "target", target);
        if (prediction.Length == 0) return 0f;
        return ElementwiseDriver.SumBinary<SquaredDifferenceOp>(default, prediction, target) / prediction.Length;
    }

    /// <summary>dPrediction += dLoss · (2/n) · (prediction − target).</summary>
    public static void MeanSquaredErrorBackward(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, float dLoss, Span<float> dPrediction)
    {
        Check.Same("Loss.MeanSquaredErrorBackward", "prediction", prediction.Length, "target", target.Length);
        Check.Same("Loss.MeanSquaredErrorBackward", "prediction", prediction.Length, "dPrediction", dPrediction.Length);
        if (prediction.Length == 0) return;
        ElementwiseDriver.Binary<ScaledDifferenceOp, Accumulate>(new ScaledDifferenceOp(2f * dLoss / prediction.Length), prediction, target, dPrediction);
    }

    /// <summary>Returns (1/n) Σ weight·(prediction − target)²; 0 for empty spans.</summary>
    /// <remarks>One value per sampled transition (n is a batch size, 64–4096), so a plain loop: its cost is a few
    /// hundred nanoseconds against an update's hundreds of microseconds.</remarks>
    /// <exception cref="ArgumentException">Lengths differ, or a target or weight is NaN/±∞.</exception>
    public static float WeightedMeanSquaredError(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, ReadOnlySpan<float> weight)
    {
        Check.Same("Loss.WeightedMeanSquaredError", "prediction", prediction.Length, "target", target.Length);
        Check.Same("Loss.WeightedMeanSquaredError", "prediction", prediction.Length, "weight", weight.Length);
        Check.Finite("Loss.WeightedMeanSquaredError", "target", target);
        Check.Finite("Loss.WeightedMeanSquaredError", "weight", weight);
        if (prediction.Length == 0) return 0f;
        float sum = 0f;
        for (int i = 0; i < prediction.Length; i++)
        {
            float d = prediction[i] - target[i];
            sum += weight[i] * d * d;
        }
        return sum / prediction.Length;
    }

    /// <summary>dPrediction += dLoss · (2/n) · weight · (prediction − target).</summary>
    public static void WeightedMeanSquaredErrorBackward(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, ReadOnlySpan<float> weight,
        float dLoss, Span<float> dPrediction)
    {
        Check.Same("Loss.WeightedMeanSquaredErrorBackward", "prediction", prediction.Length, "target", target.Length);
        Check.Same("Loss.WeightedMeanSquaredErrorBackward", "prediction", prediction.Length, "weight", weight.Length);
        Check.Same("Loss.WeightedMeanSquaredErrorBackward", "prediction", prediction.Length, "dPrediction", dPrediction.Length);
        if (prediction.Length == 0) return;
        float scale = 2f * dLoss / prediction.Length;
        for (int i = 0; i < prediction.Length; i++) dPrediction[i] += scale * weight[i] * (prediction[i] - target[i]);
    }
}
