using NafNative.Autodiff;
using NafNative.Kernels.Cpu;
using NafNative.Learning;
using NafNative.Replay;
using NafNative.Tensors;

namespace NafNative.Naf;

/// <summary>The NAF learner's update: TD target from the target network, Q = V + A on the online network, MSE,
/// backward, optional gradient clipping, Adam, Polyak — Gu et al. (2016a), Algorithm 1, lines 9–12.</summary>
/// <remarks>
/// Owned by one thread (the learner). Every buffer is allocated here; after the first step a
/// <c>Step</c> allocates nothing. Parameters, target parameters and Adam moments are flat arrays of one layout
/// (DESIGN), so snapshots and checkpoints are array copies.
/// </remarks>
public sealed partial class NafTrainer : IPrioritizedUpdateStep
{
    private readonly Tape _tape = new();
    private readonly Tensor _observations, _actions, _targets, _weights;
    private readonly float[] _targetHead, _scratch, _tdErrors;

    public NafTrainer(NafOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Network = new NafNetwork(options.ObservationSize, options.ActionSize, options.HiddenSizes);
        Online = new ParameterVector(Network.Layout);
        Network.Body.Initialize(Online, new Random(options.Seed));
        Target = (float[])Online.Values.Clone();
        AdamFirstMoment = new float[Online.Length];
        AdamSecondMoment = new float[Online.Length];

        int b = options.BatchSize;
        _observations = new Tensor(b, options.ObservationSize);
        _actions = new Tensor(b, options.ActionSize);
        _targets = new Tensor(b, 1);
        _weights = new Tensor(b, 1);
        _tdErrors = new float[b];
        _targetHead = new float[b * Network.HeadWidth];
        _scratch = new float[Network.Body.InferScratchLength(b)];
    }

    public NafOptions Options { get; }
    public NafNetwork Network { get; }

    /// <summary>θ: online parameters and their gradients (valid after <c>ComputeGradients</c>).</summary>
    public ParameterVector Online { get; }

    /// <summary>θ′: target network parameters, same layout as <see cref="Online"/>.</summary>
    public float[] Target { get; }

    public float[] AdamFirstMoment { get; }
    public float[] AdamSecondMoment { get; }

    /// <summary>Updates run so far (Adam's t), including skipped non-finite ones.</summary>
    public long Steps { get; private set; }

    /// <summary>Gradient L2 norm of the last step, before any clipping.</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>Updates skipped since construction because the loss or the gradient was NaN or ±∞.</summary>
    public long NonFiniteUpdates { get; private set; }

    /// <summary>Skipped updates since the last applied one; reaching <see cref="NafOptions.MaxConsecutiveNonFiniteUpdates"/> throws.</summary>
    public int ConsecutiveNonFiniteUpdates { get; private set; }

    /// <summary>When set, every update adds its phases' times to it (<c>naf bench update --breakdown</c>); null in
    /// training, where the update takes no timestamps.</summary>
    public UpdateBreakdown? Breakdown { get; set; }

    // TD loss of the last ComputeGradients (checked with the gradient norm before anything is applied).
    private float _lastLoss;

    /// <summary>One full update on a batch of exactly <see cref="NafOptions.BatchSize"/> transitions; returns the
    /// TD loss before the update.</summary>
    /// <remarks>Spans are row-major, batch-first: observations and next observations [B × obs], actions [B × n],
    /// rewards and terminated flags (1 = the episode ended in a terminal state: no bootstrap; a time-limit
    /// truncation is 0 and bootstraps) [B].</remarks>
    public float Step(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> terminated) =>
        Step(observations, actions, rewards, nextObservations, terminated, default);

    /// <summary>As the unweighted overload; a non-empty <paramref name="weights"/> weights each row's squared TD error
    /// (see <see cref="Step(ReplayBatch, ReadOnlySpan{float})"/>).</summary>
    public float Step(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> terminated, ReadOnlySpan<float> weights)
    {
        Breakdown?.Begin();
        float loss = ComputeGradients(observations, actions, rewards, nextObservations, terminated, weights);
        ApplyGradients();
        Breakdown?.End();
        return loss;
    }

    /// <summary>One full update on a sampled replay batch (its Size must equal <see cref="NafOptions.BatchSize"/>).</summary>
    public float Step(ReplayBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Step(batch.Observations, batch.Actions, batch.Rewards, batch.NextObservations, batch.Terminated);
    }

    /// <summary>One update whose loss weights row b by <paramref name="weights"/>[b] (prioritised replay's
    /// importance weights): mean wᵦ(Qᵦ − yᵦ)²; the rows' TD errors are then in <see cref="LastTdErrors"/>.</summary>
    public float Step(ReplayBatch batch, ReadOnlySpan<float> weights)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Step(batch.Observations, batch.Actions, batch.Rewards, batch.NextObservations, batch.Terminated, weights);
    }

    /// <summary>Q(xᵦ, uᵦ) − yᵦ of each row of the last batch (before its update); NaN rows after a non-finite target.</summary>
    public ReadOnlySpan<float> LastTdErrors => _tdErrors;

    int IUpdateStep.BatchSize => Options.BatchSize;
    ReadOnlySpan<float> IUpdateStep.Parameters => Online.Values;
    float IUpdateStep.Update(ReplayBatch batch) => Step(batch);
    float IPrioritizedUpdateStep.Update(ReplayBatch batch, ReadOnlySpan<float> weights) => Step(batch, weights);

    /// <summary>The TD loss of a batch and its gradient into <see cref="Online"/>.Gradients, without updating.</summary>
    public float ComputeGradients(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> terminated) =>
        ComputeGradients(observations, actions, rewards, nextObservations, terminated, default);

    /// <summary>As the unweighted overload; a non-empty <paramref name="weights"/> (one per row, finite) weights each
    /// row's squared TD error.</summary>
    public float ComputeGradients(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<float> terminated, ReadOnlySpan<float> weights)
    {
        int batch = Options.BatchSize;
        BatchShape.Check(Options, "NafTrainer.Step", observations.Length, actions.Length, rewards.Length, nextObservations.Length, terminated.Length);
        if (!weights.IsEmpty && weights.Length != batch)
            throw new ArgumentException($"NafTrainer.Step: weights has {weights.Length} values but the batch has {batch} rows.", nameof(weights));

        // y = r + γ·(1 − terminated)·V′(x′), V′ from the target network θ′ (no gradient flows into it).
        var breakdown = Breakdown;
        Network.InferHead(Target, nextObservations, batch, _targetHead, _scratch);
        breakdown?.Mark(UpdateBreakdown.Phase.TargetForward);
        Span<float> y = _targets.Span;
        int width = Network.HeadWidth;
        for (int b = 0; b < batch; b++)
            y[b] = rewards[b] + Options.Discount * (1f - terminated[b]) * _targetHead[b * width];
        breakdown?.Mark(UpdateBreakdown.Phase.TdTarget);
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(y))
        {
            // A NaN/∞ target (a huge reward, or V′ overflowed) makes the loss non-finite: report it as NaN with zero
            // gradients, and ApplyGradients skips the update.
            Online.ZeroGradients();
            _tdErrors.AsSpan().Fill(float.NaN);
            _lastLoss = float.NaN;
            return _lastLoss;
        }

        // Q(x, u) = V(x) + A(x, u), A = −½‖Lᵀ(u − μ(x))‖²; loss = mean (Q − y)².
        observations.CopyTo(_observations.Span);
        actions.CopyTo(_actions.Span);
        _tape.Reset();
        Online.ZeroGradients();
        Var head = Network.Head(_tape, Online, _tape.Input(_observations));
        breakdown?.Mark(UpdateBreakdown.Phase.OnlineForward);
        Var q = _tape.NafQ(head, _tape.Input(_actions));
        breakdown?.Mark(UpdateBreakdown.Phase.Advantage);
        Var loss;
        if (weights.IsEmpty) loss = _tape.MeanSquaredError(q, _tape.Input(_targets));
        else
        {
            weights.CopyTo(_weights.Span);
            loss = _tape.WeightedMeanSquaredError(q, _tape.Input(_targets), _tape.Input(_weights));
        }
        System.Numerics.Tensors.TensorPrimitives.Subtract(_tape.Value(q), y, _tdErrors);
        breakdown?.Mark(UpdateBreakdown.Phase.Loss);
        if (breakdown is null) _tape.Backward(loss);
        else
        {
            _tape.Backward(loss, breakdown.NodeTicks(_tape));
            breakdown.Mark(UpdateBreakdown.Phase.Backward);
        }
        _lastLoss = _tape.Value(loss)[0];
        return _lastLoss;
    }

    /// <summary>Clip (if configured), Adam on θ, then θ′ ← τθ + (1 − τ)θ′; skipped when the loss or the gradient
    /// norm is not finite (see <see cref="NafOptions.MaxConsecutiveNonFiniteUpdates"/>).</summary>
    /// <exception cref="InvalidOperationException">This was the
    /// <see cref="NafOptions.MaxConsecutiveNonFiniteUpdates"/>-th non-finite update in a row.</exception>
    public void ApplyGradients()
    {
        var breakdown = Breakdown;
        LastGradientNorm = Options.MaxGradientNorm is float max
            ? Optimizers.ClipGradientNorm(Online.Gradients, max)
            : MathF.Sqrt(Reductions.Dot(Online.Gradients, Online.Gradients));
        breakdown?.Mark(UpdateBreakdown.Phase.Clip);
        Steps++;
        // ‖g‖ is NaN or ∞ as soon as one component is (clipping does not catch NaN: norm > max is false), and one
        // such step would put NaN into θ, θ′ and both moments for good. Skip it, leaving the state as it was.
        if (!float.IsFinite(_lastLoss) || !float.IsFinite(LastGradientNorm))
        {
            NonFiniteUpdates++;
            if (++ConsecutiveNonFiniteUpdates >= Options.MaxConsecutiveNonFiniteUpdates)
                ThrowNonFinite(ConsecutiveNonFiniteUpdates, Steps, _lastLoss, LastGradientNorm, Options);
            return;
        }
        ConsecutiveNonFiniteUpdates = 0;
        Optimizers.Adam(Online.Values, Online.Gradients, AdamFirstMoment, AdamSecondMoment,
            Options.LearningRate, Options.AdamBeta1, Options.AdamBeta2, Options.AdamEpsilon, Steps);
        breakdown?.Mark(UpdateBreakdown.Phase.Adam);
        Optimizers.Polyak(Online.Values, Target, Options.TargetUpdateRate);
        breakdown?.Mark(UpdateBreakdown.Phase.Polyak);
    }

    /// <summary>The error both trainers raise after too many non-finite updates in a row.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn, System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    internal static void ThrowNonFinite(int inARow, long step, float loss, float norm, NafOptions options) =>
        throw new InvalidOperationException(
            $"NAF update {step}: {inARow} updates in a row had a non-finite loss or gradient (last: loss {loss}, gradient norm {norm}) " +
            $"and were skipped (MaxConsecutiveNonFiniteUpdates = {options.MaxConsecutiveNonFiniteUpdates}); the parameters, target " +
            $"network and Adam state are those from before them. Lower the learning rate (now {options.LearningRate}), set a " +
            "gradient-norm limit (MaxGradientNorm), or check the rewards and observations for huge values.");

    /// <summary>Restores state from a checkpoint (all arrays already validated by the caller).</summary>
    internal void Restore(ReadOnlySpan<float> online, ReadOnlySpan<float> target, ReadOnlySpan<float> m, ReadOnlySpan<float> v, long steps)
    {
        online.CopyTo(Online.Values);
        target.CopyTo(Target);
        m.CopyTo(AdamFirstMoment);
        v.CopyTo(AdamSecondMoment);
        Steps = steps;
    }
}
