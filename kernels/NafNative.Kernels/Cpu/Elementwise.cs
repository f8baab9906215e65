namespace NafNative.Kernels.Cpu;

/// <summary>Element-wise arithmetic over equal-length spans; the <c>…To</c> forms add into their destination.</summary>
/// <remarks>Thread-safe, allocation-free. Destinations may alias inputs element-for-element.</remarks>
public static class Elementwise
{
    /// <summary>z = x + y.</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        CheckThree("Elementwise.Add", x, y, z);
        ElementwiseDriver.Binary<AddOp, Assign>(default, x, y, z);
    }

    /// <summary>z = x − y.</summary>
    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        CheckThree("Elementwise.Subtract", x, y, z);
        ElementwiseDriver.Binary<SubtractOp, Assign>(default, x, y, z);
    }

    /// <summary>z = x ⊙ y.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z)
    {
        CheckThree("Elementwise.Multiply", x, y, z);
        ElementwiseDriver.Binary<MultiplyOp, Assign>(default, x, y, z);
    }

    /// <summary>dst += x ⊙ y (the backward pass of a product).</summary>
    public static void MultiplyAddTo(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
    {
        CheckThree("Elementwise.MultiplyAddTo", x, y, dst);
        ElementwiseDriver.Binary<MultiplyOp, Accumulate>(default, x, y, dst);
    }

    /// <summary>y = alpha · x.</summary>
    public static void Scale(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        Check.Same("Elementwise.Scale", "x", x.Length, "y", y.Length);
        ElementwiseDriver.Unary<ScaleOp, Assign>(new ScaleOp(alpha), x, y);
    }

    /// <summary>dst += alpha · x (gradient accumulation; alpha = 1 adds, −1 subtracts).</summary>
    public static void ScaleAddTo(float alpha, ReadOnlySpan<float> x, Span<float> dst)
    {
        Check.Same("Elementwise.ScaleAddTo", "x", x.Length, "dst", dst.Length);
        ElementwiseDriver.Unary<ScaleOp, Accumulate>(new ScaleOp(alpha), x, dst);
    }

    /// <summary>dst += value for every element.</summary>
    public static void AddScalarTo(float value, Span<float> dst) =>
        ElementwiseDriver.Unary<ConstantOp, Accumulate>(new ConstantOp(value), dst, dst);

    /// <summary>y[r, j] += bias[j] for every row r of a rows × cols matrix (a layer's bias).</summary>
    public static void AddRowVector(Span<float> y, ReadOnlySpan<float> bias, int rows, int cols)
    {
        Check.Matrix("Elementwise.AddRowVector", "y", y.Length, rows, cols);
        Check.Same("Elementwise.AddRowVector", "bias", bias.Length, "y's row", cols);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = y.Slice(r * cols, cols);
            ElementwiseDriver.Binary<AddOp, Assign>(default, row, bias, row);
        }
    }

    private static void CheckThree(string op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z)
    {
        Check.Same(op, "x", x.Length, "y", y.Length);
        Check.Same(op, "x", x.Length, "destination", z.Length);
    }
}
