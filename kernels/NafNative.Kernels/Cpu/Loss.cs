namespace NafNative.Kernels.Cpu;

/// <summary>Mean squared error, the NAF temporal-difference loss: L = (1/n) Σ (p − t)².</summary>
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
}
