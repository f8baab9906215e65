namespace NafNative.Tensors;

/// <summary>A float32, row-major matrix over storage it does not resize: its own array or a slice of a larger one.</summary>
/// <remarks>
/// Tensors are views: construction over a shared array (a flat parameter vector, a replay
/// batch buffer) costs no copy. Not thread-safe for writes; readers on other threads need their own synchronisation.
/// </remarks>
public sealed class Tensor
{
    private readonly float[] _data;
    private readonly int _offset;

    /// <summary>A tensor with fresh zeroed storage.</summary>
    public Tensor(Shape shape) : this(new float[shape.Length], 0, shape) { }

    /// <summary>A tensor with fresh zeroed storage of rows × cols.</summary>
    public Tensor(int rows, int cols) : this(new Shape(rows, cols)) { }

    /// <summary>A view of <paramref name="shape"/>.Length elements of <paramref name="data"/> starting at <paramref name="offset"/>.</summary>
    public Tensor(float[] data, int offset, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (offset < 0 || (long)offset + shape.Length > data.Length)
            throw new ArgumentException($"Tensor {shape}: needs {shape.Length} elements from offset {offset}, but the storage has {data.Length}.", nameof(data));
        _data = data;
        _offset = offset;
        Shape = shape;
    }

    public Shape Shape { get; }
    public int Rows => Shape.Rows;
    public int Cols => Shape.Cols;
    public int Length => Shape.Length;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => _data.AsSpan(_offset, Shape.Length);

    /// <summary>One row (one sample of a batch).</summary>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)Shape.Rows)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Tensor {Shape}: row {row} does not exist.");
        return _data.AsSpan(_offset + row * Shape.Cols, Shape.Cols);
    }

    public float this[int row, int col]
    {
        get => _data[Index(row, col)];
        set => _data[Index(row, col)] = value;
    }

    /// <summary>Copies from a span of the same length.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Shape.Length)
            throw new ArgumentException($"Tensor.CopyFrom: source has shape [{source.Length}] but the tensor is {Shape}.", nameof(source));
        source.CopyTo(Span);
    }

    internal float[] Storage => _data;
    internal int Offset => _offset;

    private int Index(int row, int col)
    {
        if ((uint)row >= (uint)Shape.Rows || (uint)col >= (uint)Shape.Cols)
            throw new ArgumentOutOfRangeException(nameof(row), $"Tensor {Shape}: index ({row}, {col}) is out of range.");
        return _offset + row * Shape.Cols + col;
    }

    public override string ToString() => $"Tensor {Shape}";
}
