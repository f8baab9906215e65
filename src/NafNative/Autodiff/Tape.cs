using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NafNative.Tensors;

namespace NafNative.Autodiff;

/// <summary>A reverse-mode autodiff tape: ops run eagerly forward and are recorded; <see cref="Backward(Var)"/> replays
/// them in reverse, accumulating gradients.</summary>
/// <remarks>
/// Intermediate values and their gradients live in two arenas owned by the tape, reused from one
/// <see cref="Reset"/> to the next: once a fixed graph has run once, forward + backward allocate nothing.
/// Parameter gradients accumulate straight into the <see cref="ParameterVector.Gradients"/> array that mirrors the
/// flat parameter vector. Single-threaded: one tape per learner (or per test).
/// </remarks>
public sealed partial class Tape
{
    private const int ArenaSlot = 0;

    // Storage table: slot 0 is the arena; later slots are parameter vectors and caller tensors of this step.
    private float[]?[] _slotValues = new float[]?[8];
    private float[]?[] _slotGradients = new float[]?[8];
    private int _slotCount = 1;

    private float[] _arena;
    private float[] _arenaGradients;
    private int _arenaUsed;

    private VarInfo[] _vars = new VarInfo[64];
    private int _varCount;
    private int _generation; // bumped by Reset, stamped on every Var: a handle from an earlier step never matches
    private Node[] _nodes = new Node[64];
    private int _nodeCount;

    public Tape(int arenaCapacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arenaCapacity);
        _arena = new float[arenaCapacity];
        _arenaGradients = new float[arenaCapacity];
    }

    /// <summary>Floats of arena in use by the current step (values; gradients use as many again).</summary>
    public int ArenaUsed => _arenaUsed;

    /// <summary>Forgets every recorded value and op; handles from before are invalid afterwards.</summary>
    public void Reset()
    {
        Array.Clear(_slotValues, 1, _slotCount - 1);
        Array.Clear(_slotGradients, 1, _slotCount - 1);
        _slotCount = 1;
        _generation++;
        _arenaUsed = 0;
        _varCount = 0;
        _nodeCount = 0;
    }

    /// <summary>A caller tensor as an input. Without a gradient it is read in place (no copy); with one it is
    /// copied into the arena so its gradient can be read back with <see cref="Gradient"/>.</summary>
    public Var Input(Tensor tensor, bool requiresGradient = false)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (requiresGradient)
        {
            Var v = NewArenaVar(tensor.Shape, requiresGradient: true);
            tensor.Span.CopyTo(ValueSpan(v.Id));
            return v;
        }
        return NewVar(SlotFor(tensor.Storage, null), tensor.Offset, tensor.Shape, requiresGradient: false);
    }

    /// <summary>A slice of a flat parameter vector; its gradient accumulates into <see cref="ParameterVector.Gradients"/>.</summary>
    public Var Parameter(ParameterVector parameters, ParameterSlice slice)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (slice.Offset < 0 || (long)slice.Offset + slice.Length > parameters.Length)
            throw new ArgumentException($"Tape.Parameter: slice {slice} lies outside the parameter vector [{parameters.Length}].", nameof(slice));
        return NewVar(SlotFor(parameters.Values, parameters.Gradients), slice.Offset, slice.Shape, requiresGradient: true);
    }

    /// <summary>The current value of <paramref name="v"/>.</summary>
    public ReadOnlySpan<float> Value(Var v) => ValueSpan(CheckOwned(v, "Tape.Value"));

    /// <summary>The gradient accumulated into <paramref name="v"/> by <see cref="Backward(Var)"/>.</summary>
    public ReadOnlySpan<float> Gradient(Var v)
    {
        int id = CheckOwned(v, "Tape.Gradient");
        if (!_vars[id].RequiresGradient)
            throw new InvalidOperationException($"Tape.Gradient: {v} does not require a gradient (an input without requiresGradient, or computed only from such).");
        return GradientSpan(id);
    }

    internal Shape ShapeOf(Var v) => _vars[CheckOwned(v, "Var.Shape")].Shape;

    private int SlotFor(float[] values, float[]? gradients)
    {
        for (int s = 1; s < _slotCount; s++)
            if (ReferenceEquals(_slotValues[s], values))
            {
                // The same storage may be read first as a constant Input and then as parameters: keep their gradients.
                _slotGradients[s] ??= gradients;
                return s;
            }
        if (_slotCount == _slotValues.Length)
        {
            Array.Resize(ref _slotValues, _slotCount * 2);
            Array.Resize(ref _slotGradients, _slotCount * 2);
        }
        _slotValues[_slotCount] = values;
        _slotGradients[_slotCount] = gradients;
        return _slotCount++;
    }

    private Var NewArenaVar(Shape shape, bool requiresGradient)
    {
        int needed = _arenaUsed + shape.Length;
        if (needed > _arena.Length)
        {
            // Warm-up only: a fixed graph reaches its size on its first step and never grows again.
            int size = Math.Max(needed, _arena.Length * 2);
            Array.Resize(ref _arena, size);
            Array.Resize(ref _arenaGradients, size);
        }
        var v = NewVar(ArenaSlot, _arenaUsed, shape, requiresGradient);
        _arenaUsed = needed;
        return v;
    }

    private Var NewVar(int slot, int offset, Shape shape, bool requiresGradient)
    {
        if (_varCount == _vars.Length) Array.Resize(ref _vars, _varCount * 2);
        _vars[_varCount] = new VarInfo(slot, offset, shape, requiresGradient);
        return new Var(this, _varCount++, _generation);
    }

    private void Record(in Node node)
    {
        if (_nodeCount == _nodes.Length) Array.Resize(ref _nodes, _nodeCount * 2);
        _nodes[_nodeCount++] = node;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<float> ValueSpan(int id)
    {
        ref readonly VarInfo info = ref _vars[id];
        float[] storage = info.Slot == ArenaSlot ? _arena : _slotValues[info.Slot]!;
        return storage.AsSpan(info.Offset, info.Shape.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<float> GradientSpan(int id)
    {
        ref readonly VarInfo info = ref _vars[id];
        float[] storage = info.Slot == ArenaSlot ? _arenaGradients : _slotGradients[info.Slot]!;
        return storage.AsSpan(info.Offset, info.Shape.Length);
    }

    private int CheckOwned(Var v, string op)
    {
        if (!ReferenceEquals(v.Tape, this) || v.Generation != _generation || (uint)v.Id >= (uint)_varCount)
            ThrowNotOwned(op, v);
        return v.Id;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotOwned(string op, Var v) =>
        throw new ArgumentException($"{op}: Var #{v.Id} does not belong to this tape's current step (recorded on another tape, or before Reset).", nameof(v));

    private readonly record struct VarInfo(int Slot, int Offset, Shape Shape, bool RequiresGradient);

    private readonly record struct Node(OpCode Op, int Out, int A, int B = -1, int C = -1, float Scalar = 0f, int[]? Index = null);
}
