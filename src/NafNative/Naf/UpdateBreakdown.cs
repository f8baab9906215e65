using System.Diagnostics;
using NafNative.Autodiff;

namespace NafNative.Naf;

/// <summary>Where one NAF update's time goes: attached to a <see cref="NafTrainer"/> (<see cref="NafTrainer.Breakdown"/>),
/// it accumulates the time of each phase — target forward, TD target, online forward, advantage, loss, the backward
/// pass of each op (grouped per layer), clipping, Adam, Polyak — over many updates.</summary>
/// <remarks>For <c>naf bench update --breakdown</c>: a performance engineer sees which phase to optimise on their CPU.
/// Costs one timestamp per phase and per backward node (tens of ns each, a few % of a batch-64 update), and nothing
/// when not attached. Owned by the learner thread.</remarks>
public sealed class UpdateBreakdown
{
    internal enum Phase { TargetForward, TdTarget, OnlineForward, Advantage, Loss, Backward, Clip, Adam, Polyak }

    private readonly long[] _phases = new long[Enum.GetValues<Phase>().Length];
    private long[] _nodes = new long[16];
    private OpCode[] _ops = [];
    private long _last;

    /// <summary>Updates timed since construction or <see cref="Reset"/>.</summary>
    public long Updates { get; private set; }

    public void Reset()
    {
        Array.Clear(_phases);
        Array.Clear(_nodes);
        Updates = 0;
    }

    internal void Begin() => _last = Stopwatch.GetTimestamp();

    internal void Mark(Phase phase)
    {
        long now = Stopwatch.GetTimestamp();
        _phases[(int)phase] += now - _last;
        _last = now;
    }

    internal void End() => Updates++;

    /// <summary>Per-node backward ticks for <paramref name="tape"/>'s nodes (grown once, then reused).</summary>
    internal Span<long> NodeTicks(Tape tape)
    {
        int n = tape.NodeCount;
        if (_nodes.Length < n) Array.Resize(ref _nodes, n);
        if (_ops.Length != n)
        {
            _ops = new OpCode[n];
            for (int i = 0; i < n; i++) _ops[i] = tape.NodeOp(i);
        }
        return _nodes.AsSpan(0, n);
    }

    /// <summary>One phase's mean time per update, its GEMM FLOPs per update (0 where it has none) and, for the phases
    /// that stream the parameter vectors, the bytes they must move per update (0 elsewhere).</summary>
    public readonly record struct PhaseTime(string Name, double Microseconds, double Flops, double Bytes = 0);

    /// <summary>The phases in update order, backward split per layer (output layer first, as backward runs).</summary>
    public IReadOnlyList<PhaseTime> Read(NafNetwork network, int batch)
    {
        ArgumentNullException.ThrowIfNull(network);
        double perUpdate = Updates == 0 ? 0 : 1e6 / Stopwatch.Frequency / Updates;
        var sizes = network.Body.Sizes;
        double forwardFlops = 2.0 * batch * network.Body.MultiplyAddsPerSample();
        var rows = new List<PhaseTime>
        {
            new("target forward (θ′, x′)", _phases[(int)Phase.TargetForward] * perUpdate, forwardFlops),
            new("TD target y", _phases[(int)Phase.TdTarget] * perUpdate, 0),
            new("online forward (θ, x)", _phases[(int)Phase.OnlineForward] * perUpdate, forwardFlops),
            new("advantage Q = V + A", _phases[(int)Phase.Advantage] * perUpdate, 0),
            new("loss (MSE)", _phases[(int)Phase.Loss] * perUpdate, 0),
        };
        // Backward nodes, newest first: loss, NafQ, then per layer its activation and its Linear (weight and, except
        // for the first layer, input gradients).
        var layerTicks = new double[sizes.Count - 1];
        double lossTicks = 0, advantageTicks = 0, otherTicks = 0;
        int layer = -1;
        for (int i = 0; i < _ops.Length; i++)
        {
            switch (_ops[i])
            {
                case OpCode.Linear: layerTicks[++layer] += _nodes[i]; break;
                case OpCode.Relu or OpCode.Tanh when layer >= 0: layerTicks[layer] += _nodes[i]; break;
                case OpCode.MeanSquaredError or OpCode.WeightedMeanSquaredError: lossTicks += _nodes[i]; break;
                case OpCode.NafQ: advantageTicks += _nodes[i]; break;
                default: otherTicks += _nodes[i]; break;
            }
        }
        double measuredBackward = 0;
        for (int i = 0; i < _ops.Length; i++) measuredBackward += _nodes[i];
        rows.Add(new("backward: loss", lossTicks * perUpdate, 0));
        rows.Add(new("backward: advantage", advantageTicks * perUpdate, 0));
        for (int l = layerTicks.Length - 1; l >= 0; l--)
        {
            double gemm = 2.0 * batch * sizes[l] * sizes[l + 1] * (l == 0 ? 1 : 2);
            rows.Add(new($"backward: layer {l + 1} ({sizes[l]}→{sizes[l + 1]})", layerTicks[l] * perUpdate, gemm));
        }
        // The backward pass outside the nodes (clearing the gradient arena) and any op not named above.
        double backwardRest = _phases[(int)Phase.Backward] - measuredBackward + otherTicks;
        // Bytes each streaming phase must move, P floats per vector: clearing writes the gradient; clipping reads it
        // (its norm; a rescale, when the norm is over the limit, moves it twice more); Adam reads θ, g, m, v and
        // writes θ, m, v; Polyak reads θ and θ′ and writes θ′.
        double p4 = 4.0 * network.ParameterCount;
        rows.Add(new("backward: gradient clear, other", Math.Max(0, backwardRest) * perUpdate, 0, p4));
        rows.Add(new("clip gradient norm", _phases[(int)Phase.Clip] * perUpdate, 0, p4));
        rows.Add(new("Adam", _phases[(int)Phase.Adam] * perUpdate, 0, 7 * p4));
        rows.Add(new("Polyak θ′", _phases[(int)Phase.Polyak] * perUpdate, 0, 3 * p4));
        return rows;
    }
}
