namespace NafNative.Tensors;

/// <summary>The shape of a row-major, batch-first matrix: <see cref="Rows"/> samples × <see cref="Cols"/> features.</summary>
/// <remarks>A vector is a 1 × n shape; a scalar is 1 × 1. NAF needs nothing of higher rank.</remarks>
public readonly record struct Shape
{
    public int Rows { get; }
    public int Cols { get; }

    public Shape(int rows, int cols)
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(rows < 0 ? nameof(rows) : nameof(cols), $"Shape [{rows}×{cols}]: dimensions must be non-negative.");
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Number of elements, Rows·Cols.</summary>
    public int Length => Rows * Cols;

    public static Shape Scalar => new(1, 1);

    public static Shape Vector(int length) => new(1, length);

    public override string ToString() => $"[{Rows}×{Cols}]";
}
