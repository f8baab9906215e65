namespace NafNative.Kernels.Cpu;

/// <summary>Sums over a whole span, over each row, and over each column of a row-major matrix.</summary>
public static class Reductions
{
    /// <summary>Σ x.</summary>
    public static float Sum(ReadOnlySpan<float> x) => ElementwiseDriver.SumUnary<IdentityOp>(default, x);

    /// <summary>dst[r] = Σ_j x[r, j] over a rows × cols matrix.</summary>
    public static void SumRows(ReadOnlySpan<float> x, int rows, int cols, Span<float> dst)
    {
        Check.Matrix("Reductions.SumRows", "x", x.Length, rows, cols);
        Check.Same("Reductions.SumRows", "dst", dst.Length, "x's rows", rows);
        for (int r = 0; r < rows; r++) dst[r] = Sum(x.Slice(r * cols, cols));
    }

    /// <summary>dst[j] += Σ_r x[r, j] over a rows × cols matrix (a bias gradient).</summary>
    public static void SumColumnsTo(ReadOnlySpan<float> x, int rows, int cols, Span<float> dst)
    {
        Check.Matrix("Reductions.SumColumnsTo", "x", x.Length, rows, cols);
        Check.Same("Reductions.SumColumnsTo", "dst", dst.Length, "x's columns", cols);
        for (int r = 0; r < rows; r++)
            ElementwiseDriver.Binary<AddOp, Assign>(default, dst, x.Slice(r * cols, cols), dst);
    }

    /// <summary>Σ x[i]·y[i].</summary>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Check.Same("Reductions.Dot", "x", x.Length, "y", y.Length);
        return ElementwiseDriver.SumBinary<MultiplyOp>(default, x, y);
    }
}
