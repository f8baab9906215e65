using NafNative.Kernels.Cpu;

namespace NafNative.Autodiff;

public sealed partial class Tape
{
    /// <summary>Back-propagates from the 1×1 value <paramref name="loss"/> (seeded with dL/dL = 1), adding into every
    /// gradient that requires one: arena values and <see cref="ParameterVector.Gradients"/>.</summary>
    /// <remarks>Parameter gradients are not cleared here: they accumulate, so call
    /// <see cref="ParameterVector.ZeroGradients"/> first unless accumulation over several losses is intended.</remarks>
    public void Backward(Var loss) => Backward(loss, []);

    /// <summary>Nodes recorded since the last reset, and the op of each (for profiling).</summary>
    internal int NodeCount => _nodeCount;
    internal OpCode NodeOp(int index) => _nodes[index].Op;

    /// <summary>As <see cref="Backward(Var)"/>, adding each node's backward time (Stopwatch ticks) to
    /// <paramref name="nodeTicks"/>[node] when it is not empty (at least <see cref="NodeCount"/> long).</summary>
    internal void Backward(Var loss, Span<long> nodeTicks)
    {
        int lossId = CheckOwned(loss, "Tape.Backward");
        ref readonly VarInfo info = ref _vars[lossId];
        if (info.Shape.Length != 1)
            throw new ArgumentException($"Tape.Backward: loss must be a [1×1] value, got {info.Shape}; reduce it with Sum or Mean first.", nameof(loss));
        if (!info.RequiresGradient)
            throw new InvalidOperationException("Tape.Backward: the loss depends on no parameter or gradient-requiring input.");

        Array.Clear(_arenaGradients, 0, _arenaUsed);
        GradientSpan(lossId)[0] += 1f;
        bool timed = !nodeTicks.IsEmpty;
        for (int i = _nodeCount - 1; i >= 0; i--)
        {
            ref readonly Node node = ref _nodes[i];
            if (!_vars[node.Out].RequiresGradient) continue;
            long start = timed ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
            BackwardNode(node);
            if (timed) nodeTicks[i] += System.Diagnostics.Stopwatch.GetTimestamp() - start;
        }
    }

    private void BackwardNode(in Node node)
    {
        ReadOnlySpan<float> dy = GradientSpan(node.Out);
        switch (node.Op)
        {
            case OpCode.MatMul:
            case OpCode.Linear:
                BackwardProduct(node, dy);
                break;
            case OpCode.Add:
                if (Wants(node.A)) Elementwise.ScaleAddTo(1f, dy, GradientSpan(node.A));
                if (Wants(node.B)) Elementwise.ScaleAddTo(1f, dy, GradientSpan(node.B));
                break;
            case OpCode.Subtract:
                if (Wants(node.A)) Elementwise.ScaleAddTo(1f, dy, GradientSpan(node.A));
                if (Wants(node.B)) Elementwise.ScaleAddTo(-1f, dy, GradientSpan(node.B));
                break;
            case OpCode.Multiply:
                if (Wants(node.A)) Elementwise.MultiplyAddTo(dy, ValueSpan(node.B), GradientSpan(node.A));
                if (Wants(node.B)) Elementwise.MultiplyAddTo(dy, ValueSpan(node.A), GradientSpan(node.B));
                break;
            case OpCode.Scale:
                Elementwise.ScaleAddTo(node.Scalar, dy, GradientSpan(node.A));
                break;
            case OpCode.Relu:
                Activations.ReluBackward(ValueSpan(node.A), dy, GradientSpan(node.A));
                break;
            case OpCode.Tanh:
                Activations.TanhBackward(ValueSpan(node.Out), dy, GradientSpan(node.A));
                break;
            case OpCode.Exp:
                Activations.ExpBackward(ValueSpan(node.Out), dy, GradientSpan(node.A));
                break;
            case OpCode.Sum:
                Elementwise.AddScalarTo(dy[0], GradientSpan(node.A));
                break;
            case OpCode.Mean:
                Elementwise.AddScalarTo(dy[0] * node.Scalar, GradientSpan(node.A));
                break;
            case OpCode.SumRows:
                BackwardSumRows(node, dy);
                break;
            case OpCode.GatherColumns:
                BackwardGather(node, dy);
                break;
            case OpCode.MeanSquaredError:
                if (Wants(node.A)) Loss.MeanSquaredErrorBackward(ValueSpan(node.A), ValueSpan(node.B), dy[0], GradientSpan(node.A));
                if (Wants(node.B)) Loss.MeanSquaredErrorBackward(ValueSpan(node.B), ValueSpan(node.A), dy[0], GradientSpan(node.B));
                break;
            case OpCode.WeightedMeanSquaredError:
                if (Wants(node.A)) Loss.WeightedMeanSquaredErrorBackward(ValueSpan(node.A), ValueSpan(node.B), ValueSpan(node.C), dy[0], GradientSpan(node.A));
                if (Wants(node.B)) Loss.WeightedMeanSquaredErrorBackward(ValueSpan(node.B), ValueSpan(node.A), ValueSpan(node.C), dy[0], GradientSpan(node.B));
                break;
            case OpCode.NafQ:
                BackwardNafQ(node, dy);
                break;
            default:
                throw new InvalidOperationException($"Tape.Backward: no backward pass for {node.Op}.");
        }
    }

    // y = a·b (+ bias): da += dy·bᵀ, db += aᵀ·dy, dbias += Σ_rows dy.
    private void BackwardProduct(in Node node, ReadOnlySpan<float> dy)
    {
        var sa = _vars[node.A].Shape;
        var sb = _vars[node.B].Shape;
        int m = sa.Rows, k = sa.Cols, n = sb.Cols;
        if (Wants(node.A)) Gemm.MatMulTransposeB(dy, ValueSpan(node.B), GradientSpan(node.A), m, k, n);
        if (Wants(node.B)) Gemm.MatMulTransposeA(ValueSpan(node.A), dy, GradientSpan(node.B), k, n, m);
        if (node.Op == OpCode.Linear && Wants(node.C)) Reductions.SumColumnsTo(dy, m, n, GradientSpan(node.C));
    }

    private void BackwardSumRows(in Node node, ReadOnlySpan<float> dy)
    {
        var sa = _vars[node.A].Shape;
        Span<float> da = GradientSpan(node.A);
        for (int r = 0; r < sa.Rows; r++) Elementwise.AddScalarTo(dy[r], da.Slice(r * sa.Cols, sa.Cols));
    }

    private void BackwardGather(in Node node, ReadOnlySpan<float> dy)
    {
        var sa = _vars[node.A].Shape;
        int[] index = node.Index!;
        Span<float> da = GradientSpan(node.A);
        for (int r = 0; r < sa.Rows; r++)
        {
            Span<float> row = da.Slice(r * sa.Cols, sa.Cols);
            ReadOnlySpan<float> dRow = dy.Slice(r * index.Length, index.Length);
            for (int j = 0; j < index.Length; j++)
                if (index[j] >= 0) row[index[j]] += dRow[j];
        }
    }

    private void BackwardNafQ(in Node node, ReadOnlySpan<float> dy)
    {
        if (!Wants(node.A)) return;
        var sh = _vars[node.A].Shape;
        int n = (int)node.Scalar;
        NafAdvantage.Backward(ValueSpan(node.A), ValueSpan(node.B), ValueSpan(node.C), dy, sh.Rows, n, GradientSpan(node.A));
    }

    private bool Wants(int id) => _vars[id].RequiresGradient;
}
