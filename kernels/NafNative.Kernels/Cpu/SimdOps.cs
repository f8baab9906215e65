using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NafNative.Kernels.Cpu;

/// <summary>One SIMD width's vector primitives, so a kernel body is written once and specialised per width.</summary>
/// <remarks>The JIT specialises generic methods over these empty structs and inlines every call: no virtual dispatch.</remarks>
internal interface ISimd<TV> where TV : struct
{
    static abstract int Width { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(ref float source, nint offset);
    static abstract void Store(TV value, ref float destination, nint offset);
    static abstract TV Broadcast(float value);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);
    static abstract TV Divide(TV a, TV b);
    static abstract TV Sqrt(TV a);
    /// <summary>Whether <see cref="AddMasked"/> is a hardware masked load/store (AVX-512F, AVX) rather than absent.</summary>
    static abstract bool CanMask { get; }
    /// <summary>A mask selecting lanes 0 … count − 1.</summary>
    static abstract TV FirstLanes(int count);
    /// <summary>destination[offset + i] += value[i] for the lanes <paramref name="mask"/> selects; touches no other
    /// memory (so it may run up to the last element of a buffer). Only when <see cref="CanMask"/>.</summary>
    static abstract void AddMasked(TV value, ref float destination, nint offset, TV mask);
}

internal readonly struct Simd512 : ISimd<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nint offset) => Vector512.LoadUnsafe(ref Unsafe.Add(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    public static bool CanMask => Avx512F.IsSupported;
    public static Vector512<float> FirstLanes(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddMasked(Vector512<float> value, ref float destination, nint offset, Vector512<float> mask)
    {
        fixed (float* p = &Unsafe.Add(ref destination, offset))
            Avx512F.MaskStore(p, mask, Avx512F.MaskLoad(p, mask, Vector512<float>.Zero) + value);
    }
}

internal readonly struct Simd256 : ISimd<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nint offset) => Vector256.LoadUnsafe(ref Unsafe.Add(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    public static bool CanMask => Avx.IsSupported;
    public static Vector256<float> FirstLanes(int count) =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddMasked(Vector256<float> value, ref float destination, nint offset, Vector256<float> mask)
    {
        fixed (float* p = &Unsafe.Add(ref destination, offset))
            Avx.MaskStore(p, mask, Avx.MaskLoad(p, mask) + value);
    }
}

/// <summary>A compile-time count of vectors per microkernel row (the JIT folds <c>Count</c> to a constant).</summary>
internal interface IVectorCount { static abstract int Count { get; } }
internal readonly struct One : IVectorCount { public static int Count => 1; }
internal readonly struct Two : IVectorCount { public static int Count => 2; }
internal readonly struct Three : IVectorCount { public static int Count => 3; }
internal readonly struct Four : IVectorCount { public static int Count => 4; }

/// <summary>Whether a microkernel's last column vector is a partial one, added into C through a lane mask.</summary>
internal interface IEdgeMode { static abstract bool Masked { get; } }
internal readonly struct FullColumns : IEdgeMode { public static bool Masked => false; }
internal readonly struct MaskedLastColumns : IEdgeMode { public static bool Masked => true; }
