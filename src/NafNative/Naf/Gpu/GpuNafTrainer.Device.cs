using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using NafNative.Kernels.Gpu;

namespace NafNative.Naf.Gpu;

public sealed partial class GpuNafTrainer
{
    private MemoryBuffer1D<float, Stride1D.Dense> _parameters = null!, _gradients = null!, _m = null!, _v = null!;
    private MemoryBuffer1D<float, Stride1D.Dense> _batch = null!, _saved = null!, _squared = null!, _lossRing = null!;
    private MemoryBuffer1D<float, Stride1D.Dense>[] _activations = [], _deltas = [];

    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs> _gemmNN = null!, _gemmNT = null!, _gemmTN = null!;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float, ArrayView<float>, ArrayView<float>, ArrayView<float>> _tdStep = null!;
    private Action<KernelConfig, ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>> _lossAndNorm = null!;
    private Action<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs, float> _adamPolyak = null!;

    // Every device buffer, largest first, after a capacity check against the device's free memory.
    private void AllocateDeviceBuffers(int b, int obs, int n)
    {
        int layers = _sizes.Length - 1;
        long activationFloats = 0, deltaFloats = 0;
        for (int l = 0; l < layers; l++)
        {
            activationFloats += 2L * b * _sizes[l + 1];
            deltaFloats += (long)b * _sizes[l + 1];
        }
        long parameterFloats = 5L * _parameterCount; // [θ | θ′], gradients, m, v
        long otherFloats = _batchFloats + 2L * b * n + b + 2L * LossWindow;
        long bytes = 4 * (activationFloats + deltaFloats + parameterFloats + otherFloats);
        string sizes = $"batch {b}, layers [{string.Join(", ", _sizes)}], {_parameterCount} parameters: activations {4 * activationFloats} B, " +
            $"gradients of activations {4 * deltaFloats} B, parameters/θ′/gradients/Adam {4 * parameterFloats} B, batch and scratch {4 * otherFloats} B; " +
            $"{bytes} B in all";
        long available = _accelerator is CudaAccelerator cuda ? cuda.GetFreeMemory() : _accelerator.MemorySize;
        if (bytes > available)
            throw new InsufficientMemoryException(
                $"GpuNafTrainer: {DeviceName} has {available} B free but the update needs {sizes}. Use a smaller --batch or --hidden.");
        try
        {
            _activations = new MemoryBuffer1D<float, Stride1D.Dense>[layers];
            _deltas = new MemoryBuffer1D<float, Stride1D.Dense>[layers];
            for (int l = 0; l < layers; l++) _activations[l] = _accelerator.Allocate1D<float>(2L * b * _sizes[l + 1]);
            for (int l = 0; l < layers; l++) _deltas[l] = _accelerator.Allocate1D<float>((long)b * _sizes[l + 1]);
            _parameters = _accelerator.Allocate1D<float>(2L * _parameterCount);
            _gradients = _accelerator.Allocate1D<float>(_parameterCount);
            _m = _accelerator.Allocate1D<float>(_parameterCount);
            _v = _accelerator.Allocate1D<float>(_parameterCount);
            _batch = _accelerator.Allocate1D<float>(_batchFloats);
            _saved = _accelerator.Allocate1D<float>(2L * b * n);
            _squared = _accelerator.Allocate1D<float>(b);
            _lossRing = _accelerator.Allocate1D<float>(2L * LossWindow);
        }
        catch (Exception e) when (IsAllocationFailure(e))
        {
            throw new InsufficientMemoryException(
                $"GpuNafTrainer: out of memory on {DeviceName} allocating {sizes}: {e.Message}. Use a smaller --batch or --hidden.", e);
        }
    }

    /// <summary>Batch rows per split-K slice of the weight-gradient GEMMs (a multiple of the tile size); batches up
    /// to this size take one slice and no atomics. Tests lower it to reach the split path at small shapes.</summary>
    internal int SplitKRows
    {
        get => _splitKRows;
        set => _splitKRows = value > 0 && value % GemmKernels.TileSize == 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"SplitKRows must be a positive multiple of {GemmKernels.TileSize}.");
    }

    private int _splitKRows = 64;

    private void LoadKernels()
    {
        _gemmNN = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>(GemmKernels.GemmNNKernel);
        _gemmNT = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>(GemmKernels.GemmNTKernel);
        _gemmTN = _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs>(GemmKernels.GemmTNKernel);
        _tdStep = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>(NafKernels.TdStepKernel);
        _lossAndNorm = _accelerator.LoadStreamKernel<ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>>(LossKernels.LossAndNormKernel);
        _adamPolyak = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, AdamArgs, float>(OptimizerKernels.AdamPolyakKernel);
    }

    // The update, as NafTrainer.Step reads it, enqueued on the default stream (in order; nothing waits here).
    // scalars: this update's (loss, ‖g‖) slot of the loss ring.
    private void EnqueueUpdate(long step, ArrayView<float> scalars)
    {
        var o = Options;
        int b = o.BatchSize, obs = o.ObservationSize, n = o.ActionSize, layers = _sizes.Length - 1;
        int p = _parameterCount;

        // Forward, online (z = 0: θ on x) and target (z = 1: θ′ on x′) together: H_l = act([H_{l−1} | 1]·[W_l; b_l]).
        for (int l = 0; l < layers; l++)
        {
            int inSize = _sizes[l], outSize = _sizes[l + 1];
            var input = l == 0 ? _batch.View : _activations[l - 1].View;
            var args = new GemmArgs
            {
                M = b, N = outSize, K = inSize + 1, Lda = inSize, Ldb = outSize, Ldc = outSize, Ones = 1,
                Relu = l < layers - 1 ? 1 : 0,
                OffsetB = _weightOffsets[l],
                ZStrideA = (long)b * inSize, ZStrideB = p, ZStrideC = (long)b * outSize,
            };
            _gemmNN(new KernelConfig(GemmKernels.Grid(b, outSize, 2), GemmKernels.Group), input, _parameters.View,
                _activations[l].View, _activations[l].View, args);
        }

        // y = r + γ(1 − terminated)·V′(x′); Q = V + A; squared errors; dQ = 2(Q − y)/B; dHead = ∂(dQ·Q)/∂head.
        _tdStep(b, _activations[layers - 1].View, _batch.View, b, obs, n, o.Discount, _saved.View, _squared.View, _deltas[layers - 1].View);

        // Backward: [dW_l; db_l] = [H_{l−1} | 1]ᵀ·dY_l, then dY_{l−1} = (dY_l·W_lᵀ) ⊙ (H_{l−1} > 0).
        // A weight gradient's K is the batch: past SplitKRows it is split into slices that add atomically into
        // gradients cleared here (otherwise a few groups would each loop over the whole batch).
        int slice = b > SplitKRows ? SplitKRows : 0;
        int slices = slice > 0 ? (b + slice - 1) / slice : 1;
        if (slice > 0) _gradients.View.MemSetToZero(_accelerator.DefaultStream);
        for (int l = layers - 1; l >= 0; l--)
        {
            int inSize = _sizes[l], outSize = _sizes[l + 1];
            var input = l == 0 ? _batch.View : _activations[l - 1].View;
            var weightGradient = new GemmArgs
            {
                M = inSize + 1, N = outSize, K = b, Lda = inSize, Ldb = outSize, Ldc = outSize, Ones = 1, OffsetC = _weightOffsets[l],
                KSlice = slice,
            };
            _gemmTN(new KernelConfig(GemmKernels.Grid(inSize + 1, outSize, slices), GemmKernels.Group), input, _deltas[l].View,
                _gradients.View, _gradients.View, weightGradient);
            if (l == 0) break;
            var inputGradient = new GemmArgs
            {
                M = b, N = inSize, K = outSize, Lda = outSize, Ldb = outSize, Ldc = inSize, Mask = 1, OffsetB = _weightOffsets[l],
            };
            _gemmNT(new KernelConfig(GemmKernels.Grid(b, inSize, 1), GemmKernels.Group), _deltas[l].View, _parameters.View,
                _deltas[l - 1].View, _activations[l - 1].View, inputGradient);
        }

        // loss = Σ(Q − y)²/B and ‖g‖ into this update's ring slot; then clip (if set), Adam on θ, Polyak on θ′ in one pass.
        _lossAndNorm(new KernelConfig(1, LossKernels.ReduceGroupSize), _squared.View, b, _gradients.View, p, scalars);
        var adam = AdamArgs.For(o.LearningRate, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon, step, o.MaxGradientNorm ?? 0f);
        _adamPolyak(p, _parameters.View, p, _gradients.View, _m.View, _v.View, scalars, adam, o.TargetUpdateRate);
    }

    private void DisposeBuffers()
    {
        foreach (var buffer in _activations) buffer?.Dispose();
        foreach (var buffer in _deltas) buffer?.Dispose();
        _parameters?.Dispose();
        _gradients?.Dispose();
        _m?.Dispose();
        _v?.Dispose();
        _batch?.Dispose();
        _saved?.Dispose();
        _squared?.Dispose();
        _lossRing?.Dispose();
        foreach (var staging in _staging ?? []) staging?.Dispose();
        _lossHost?.Dispose();
        foreach (var mirror in _mirrors) mirror?.Dispose();
    }
}
