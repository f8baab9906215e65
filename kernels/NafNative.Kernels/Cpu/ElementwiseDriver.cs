using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

/// <summary>An element-wise function of one input, at every SIMD width.</summary>
internal interface IUnaryOp
{
    float Invoke(float x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An element-wise function of two inputs, at every SIMD width.</summary>
internal interface IBinaryOp
{
    float Invoke(float a, float b);
    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);
    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
}

/// <summary>Whether a driver overwrites its destination or adds into it (gradients accumulate).</summary>
internal interface IStoreMode { static abstract bool Adds { get; } }
internal readonly struct Assign : IStoreMode { public static bool Adds => false; }
internal readonly struct Accumulate : IStoreMode { public static bool Adds => true; }

/// <summary>The one loop every element-wise kernel runs: Vector512 blocks, then Vector256, then a scalar tail.</summary>
/// <remarks>Lengths are checked by the public callers; here they are only asserted.</remarks>
internal static class ElementwiseDriver
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<TOp, TMode>(TOp op, ReadOnlySpan<float> x, Span<float> dst)
        where TOp : struct, IUnaryOp where TMode : struct, IStoreMode
    {
        System.Diagnostics.Debug.Assert(x.Length == dst.Length, "public callers check lengths");
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        nint n = dst.Length, i = 0;
        SimdWidth path = SimdPath.Active;
        if (path == SimdWidth.Vector512)
            for (; i <= n - 16; i += 16)
            {
                var r = op.Invoke(Vector512.LoadUnsafe(ref rx, (nuint)i));
                if (TMode.Adds) r += Vector512.LoadUnsafe(ref rd, (nuint)i);
                r.StoreUnsafe(ref rd, (nuint)i);
            }
        if (path >= SimdWidth.Vector256)
            for (; i <= n - 8; i += 8)
            {
                var r = op.Invoke(Vector256.LoadUnsafe(ref rx, (nuint)i));
                if (TMode.Adds) r += Vector256.LoadUnsafe(ref rd, (nuint)i);
                r.StoreUnsafe(ref rd, (nuint)i);
            }
        for (; i < n; i++)
        {
            float r = op.Invoke(Unsafe.Add(ref rx, i));
            Unsafe.Add(ref rd, i) = TMode.Adds ? Unsafe.Add(ref rd, i) + r : r;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<TOp, TMode>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst)
        where TOp : struct, IBinaryOp where TMode : struct, IStoreMode
    {
        System.Diagnostics.Debug.Assert(a.Length == dst.Length && b.Length == dst.Length, "public callers check lengths");
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rd = ref MemoryMarshal.GetReference(dst);
        nint n = dst.Length, i = 0;
        SimdWidth path = SimdPath.Active;
        if (path == SimdWidth.Vector512)
            for (; i <= n - 16; i += 16)
            {
                var r = op.Invoke(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i));
                if (TMode.Adds) r += Vector512.LoadUnsafe(ref rd, (nuint)i);
                r.StoreUnsafe(ref rd, (nuint)i);
            }
        if (path >= SimdWidth.Vector256)
            for (; i <= n - 8; i += 8)
            {
                var r = op.Invoke(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i));
                if (TMode.Adds) r += Vector256.LoadUnsafe(ref rd, (nuint)i);
                r.StoreUnsafe(ref rd, (nuint)i);
            }
        for (; i < n; i++)
        {
            float r = op.Invoke(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
            Unsafe.Add(ref rd, i) = TMode.Adds ? Unsafe.Add(ref rd, i) + r : r;
        }
    }

    /// <summary>Σ op(a_i, b_i) with one vector accumulator per width, reduced at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SumBinary<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b) where TOp : struct, IBinaryOp
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        nint n = a.Length, i = 0;
        float sum = 0f;
        SimdWidth path = SimdPath.Active;
        if (path == SimdWidth.Vector512 && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
                acc += op.Invoke(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i));
            sum += Vector512.Sum(acc);
        }
        if (path >= SimdWidth.Vector256 && n - i >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
                acc += op.Invoke(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i));
            sum += Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += op.Invoke(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
        return sum;
    }

    /// <summary>Σ op(x_i) with one vector accumulator per width, reduced at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SumUnary<TOp>(TOp op, ReadOnlySpan<float> x) where TOp : struct, IUnaryOp
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        nint n = x.Length, i = 0;
        float sum = 0f;
        SimdWidth path = SimdPath.Active;
        if (path == SimdWidth.Vector512 && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16) acc += op.Invoke(Vector512.LoadUnsafe(ref rx, (nuint)i));
            sum += Vector512.Sum(acc);
        }
        if (path >= SimdWidth.Vector256 && n - i >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc += op.Invoke(Vector256.LoadUnsafe(ref rx, (nuint)i));
            sum += Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += op.Invoke(Unsafe.Add(ref rx, i));
        return sum;
    }
}
