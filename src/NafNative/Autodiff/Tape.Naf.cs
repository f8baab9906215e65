using NafNative.Kernels.Cpu;
using NafNative.Tensors;

namespace NafNative.Autodiff;

public sealed partial class Tape
{
    /// <summary>NAF's Q(x, u) = V + A from a network head [batch × (1 + n + n(n+1)/2)] and actions [batch × n],
    /// by the fused kernel <see cref="NafAdvantage"/>; returns Q as [batch × 1].</summary>
    /// <remarks>Gradients flow to the head only: actions are data (replayed transitions), not parameters.</remarks>
    public Var NafQ(Var head, Var actions)
    {
        Shape sh = ShapeOf(head), sa = ShapeOf(actions);
        int n = sa.Cols;
        if (n <= 0 || n > NafMaxActions || sh.Rows != sa.Rows || sh.Cols != NafAdvantage.HeadWidth(n))
            ThrowShapes("Tape.NafQ", "head", sh, "actions", sa,
                $"head must be [batch×(1 + n + n(n+1)/2)] for actions [batch×n] with 1 ≤ n ≤ {NafMaxActions}");
        if (NeedsGradient(actions))
            throw new ArgumentException($"Tape.NafQ: actions {sa} require a gradient, which this op does not compute (actions are replayed data).", nameof(actions));
        Var q = NewArenaVar(new Shape(sh.Rows, 1), NeedsGradient(head));
        Var saved = NewArenaVar(new Shape(sh.Rows, NafAdvantage.SavedWidth(n)), requiresGradient: false);
        NafAdvantage.Forward(ValueSpan(head.Id), ValueSpan(actions.Id), sh.Rows, n, ValueSpan(q.Id), ValueSpan(saved.Id));
        Record(new Node(OpCode.NafQ, q.Id, head.Id, actions.Id, saved.Id, Scalar: n));
        return q;
    }

    /// <summary>Largest action dimension NAF ops accept (the backward kernel keeps one row of n floats on the stack).</summary>
    public const int NafMaxActions = NafAdvantage.MaxActions;
}
