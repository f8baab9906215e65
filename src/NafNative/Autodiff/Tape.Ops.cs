using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NafNative.Kernels.Cpu;
using NafNative.Tensors;

namespace NafNative.Autodiff;

public sealed partial class Tape
{
    /// <summary>a[m×k] · b[k×n].</summary>
    public Var MatMul(Var a, Var b)
    {
        Shape sa = ShapeOf(a), sb = ShapeOf(b);
        if (sa.Cols != sb.Rows) ThrowShapes("Tape.MatMul", "a", sa, "b", sb, "a's columns must equal b's rows");
        Var y = NewArenaVar(new Shape(sa.Rows, sb.Cols), NeedsGradient(a, b));
        Span<float> yv = ValueSpan(y.Id);
        yv.Clear();
        Gemm.MatMul(ValueSpan(a.Id), ValueSpan(b.Id), yv, sa.Rows, sb.Cols, sa.Cols);
        Record(new Node(OpCode.MatMul, y.Id, a.Id, b.Id));
        return y;
    }

    /// <summary>A dense layer: x[batch×in] · weight[in×out] + bias[1×out].</summary>
    public Var Linear(Var x, Var weight, Var bias)
    {
        Shape sx = ShapeOf(x), sw = ShapeOf(weight), sb = ShapeOf(bias);
        if (sx.Cols != sw.Rows) ThrowShapes("Tape.Linear", "x", sx, "weight", sw, "x's columns must equal weight's rows");
        if (sb.Rows != 1 || sb.Cols != sw.Cols) ThrowShapes("Tape.Linear", "weight", sw, "bias", sb, "bias must be [1×out]");
        Var y = NewArenaVar(new Shape(sx.Rows, sw.Cols), NeedsGradient(x, weight, bias));
        Span<float> yv = ValueSpan(y.Id);
        ReadOnlySpan<float> b = ValueSpan(bias.Id);
        for (int r = 0; r < sx.Rows; r++) b.CopyTo(yv.Slice(r * sw.Cols, sw.Cols));
        Gemm.MatMul(ValueSpan(x.Id), ValueSpan(weight.Id), yv, sx.Rows, sw.Cols, sx.Cols);
        Record(new Node(OpCode.Linear, y.Id, x.Id, weight.Id, bias.Id));
        return y;
    }

    /// <summary>a + b, element-wise (same shape).</summary>
    public Var Add(Var a, Var b) => Binary(OpCode.Add, "Tape.Add", a, b);

    /// <summary>a − b, element-wise (same shape).</summary>
    public Var Subtract(Var a, Var b) => Binary(OpCode.Subtract, "Tape.Subtract", a, b);

    /// <summary>a ⊙ b, element-wise (same shape).</summary>
    public Var Multiply(Var a, Var b) => Binary(OpCode.Multiply, "Tape.Multiply", a, b);

    /// <summary>factor · a.</summary>
    public Var Scale(Var a, float factor)
    {
        if (!float.IsFinite(factor))
            throw new ArgumentException($"Tape.Scale: factor {factor} for a {ShapeOf(a)} must be finite.", nameof(factor));
        Var y = Unary(a);
        Elementwise.Scale(factor, ValueSpan(a.Id), ValueSpan(y.Id));
        Record(new Node(OpCode.Scale, y.Id, a.Id, Scalar: factor));
        return y;
    }

    /// <summary>max(a, 0).</summary>
    public Var Relu(Var a)
    {
        Var y = Unary(a);
        Activations.Relu(ValueSpan(a.Id), ValueSpan(y.Id));
        Record(new Node(OpCode.Relu, y.Id, a.Id));
        return y;
    }

    /// <summary>tanh(a).</summary>
    public Var Tanh(Var a)
    {
        Var y = Unary(a);
        Activations.Tanh(ValueSpan(a.Id), ValueSpan(y.Id));
        Record(new Node(OpCode.Tanh, y.Id, a.Id));
        return y;
    }

    /// <summary>exp(a).</summary>
    public Var Exp(Var a)
    {
        Var y = Unary(a);
        Activations.Exp(ValueSpan(a.Id), ValueSpan(y.Id));
        Record(new Node(OpCode.Exp, y.Id, a.Id));
        return y;
    }

    /// <summary>Σ a, as a 1×1 value.</summary>
    public Var Sum(Var a)
    {
        Var y = NewArenaVar(Shape.Scalar, NeedsGradient(a));
        ValueSpan(y.Id)[0] = Reductions.Sum(ValueSpan(a.Id));
        Record(new Node(OpCode.Sum, y.Id, a.Id));
        return y;
    }

    /// <summary>The mean of a's elements, as a 1×1 value.</summary>
    public Var Mean(Var a)
    {
        int n = ShapeOf(a).Length;
        if (n == 0) throw new ArgumentException($"Tape.Mean: a {ShapeOf(a)} is empty; its mean is undefined.", nameof(a));
        Var y = NewArenaVar(Shape.Scalar, NeedsGradient(a));
        ValueSpan(y.Id)[0] = Reductions.Sum(ValueSpan(a.Id)) / n;
        Record(new Node(OpCode.Mean, y.Id, a.Id, Scalar: 1f / n));
        return y;
    }

    /// <summary>Per-row sums: a[m×n] → [m×1].</summary>
    public Var SumRows(Var a)
    {
        Shape sa = ShapeOf(a);
        Var y = NewArenaVar(new Shape(sa.Rows, 1), NeedsGradient(a));
        Reductions.SumRows(ValueSpan(a.Id), sa.Rows, sa.Cols, ValueSpan(y.Id));
        Record(new Node(OpCode.SumRows, y.Id, a.Id));
        return y;
    }

    /// <summary>y[r, j] = a[r, index[j]], or 0 where index[j] is −1: e.g. NAF's head entries scattered into a
    /// lower-triangular matrix (see <see cref="LowerTriangular.GatherIndex"/>).</summary>
    /// <remarks>The tape keeps a reference to <paramref name="index"/>: do not change it before <see cref="Backward(Var)"/>.</remarks>
    public Var GatherColumns(Var a, int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        Shape sa = ShapeOf(a);
        for (int j = 0; j < index.Length; j++)
            if (index[j] < -1 || index[j] >= sa.Cols)
                throw new ArgumentException($"Tape.GatherColumns: index[{j}] = {index[j]} is outside a {sa}'s columns (−1 means zero).", nameof(index));
        Var y = NewArenaVar(new Shape(sa.Rows, index.Length), NeedsGradient(a));
        ReadOnlySpan<float> av = ValueSpan(a.Id);
        Span<float> yv = ValueSpan(y.Id);
        for (int r = 0; r < sa.Rows; r++)
        {
            ReadOnlySpan<float> row = av.Slice(r * sa.Cols, sa.Cols);
            Span<float> outRow = yv.Slice(r * index.Length, index.Length);
            for (int j = 0; j < index.Length; j++) outRow[j] = index[j] < 0 ? 0f : row[index[j]];
        }
        Record(new Node(OpCode.GatherColumns, y.Id, a.Id, Index: index));
        return y;
    }

    /// <summary>mean((prediction − target)²) as a 1×1 value; target must be finite.</summary>
    public Var MeanSquaredError(Var prediction, Var target)
    {
        Shape sp = ShapeOf(prediction), st = ShapeOf(target);
        if (sp != st) ThrowShapes("Tape.MeanSquaredError", "prediction", sp, "target", st, "shapes must match");
        Var y = NewArenaVar(Shape.Scalar, NeedsGradient(prediction, target));
        ValueSpan(y.Id)[0] = Loss.MeanSquaredError(ValueSpan(prediction.Id), ValueSpan(target.Id));
        Record(new Node(OpCode.MeanSquaredError, y.Id, prediction.Id, target.Id));
        return y;
    }

    /// <summary>mean(weight · (prediction − target)²) as a 1×1 value (prioritised replay's importance-weighted TD
    /// loss); target and weight must be finite, and the weight is a constant (it gets no gradient).</summary>
    public Var WeightedMeanSquaredError(Var prediction, Var target, Var weight)
    {
        Shape sp = ShapeOf(prediction), st = ShapeOf(target), sw = ShapeOf(weight);
        if (sp != st) ThrowShapes("Tape.WeightedMeanSquaredError", "prediction", sp, "target", st, "shapes must match");
        if (sp != sw) ThrowShapes("Tape.WeightedMeanSquaredError", "prediction", sp, "weight", sw, "shapes must match");
        Var y = NewArenaVar(Shape.Scalar, NeedsGradient(prediction, target));
        ValueSpan(y.Id)[0] = Loss.WeightedMeanSquaredError(ValueSpan(prediction.Id), ValueSpan(target.Id), ValueSpan(weight.Id));
        Record(new Node(OpCode.WeightedMeanSquaredError, y.Id, prediction.Id, target.Id, weight.Id));
        return y;
    }

    private Var Binary(OpCode op, string name, Var a, Var b)
    {
        Shape sa = ShapeOf(a), sb = ShapeOf(b);
        if (sa != sb) ThrowShapes(name, "a", sa, "b", sb, "shapes must match");
        Var y = NewArenaVar(sa, NeedsGradient(a, b));
        Span<float> yv = ValueSpan(y.Id);
        ReadOnlySpan<float> av = ValueSpan(a.Id), bv = ValueSpan(b.Id);
        switch (op)
        {
            case OpCode.Add: Elementwise.Add(av, bv, yv); break;
            case OpCode.Subtract: Elementwise.Subtract(av, bv, yv); break;
            default: Elementwise.Multiply(av, bv, yv); break;
        }
        Record(new Node(op, y.Id, a.Id, b.Id));
        return y;
    }

    private Var Unary(Var a) => NewArenaVar(ShapeOf(a), NeedsGradient(a));

    private bool NeedsGradient(Var a) => _vars[CheckOwned(a, "Tape")].RequiresGradient;
    private bool NeedsGradient(Var a, Var b) => NeedsGradient(a) | NeedsGradient(b);
    private bool NeedsGradient(Var a, Var b, Var c) => NeedsGradient(a) | NeedsGradient(b) | NeedsGradient(c);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShapes(string op, string nameA, Shape a, string nameB, Shape b, string rule) =>
        throw new ArgumentException($"{op}: {nameA} {a} and {nameB} {b} do not fit: {rule}.", nameB);
}
