using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NafNative.Kernels.Cpu;

/// <summary>Argument checks shared by the kernels: cheap inline tests, cold throw helpers whose messages name the
/// operation and both shapes.</summary>
public static class Check
{
    /// <summary>Throws unless two spans have the same number of elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Same(string op, string nameA, int lengthA, string nameB, int lengthB)
    {
        if (lengthA != lengthB) ThrowMismatch(op, nameA, lengthA, nameB, lengthB);
    }

    /// <summary>Throws unless a span viewed as rows × cols has exactly rows·cols elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Matrix(string op, string name, int length, int rows, int cols)
    {
        if (rows < 0 || cols < 0 || length != (long)rows * cols) ThrowMatrix(op, name, length, rows, cols);
    }

    /// <summary>Throws unless every element is finite (no NaN, no ±∞).</summary>
    public static void Finite(string op, string name, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) ThrowNotFinite(op, name, i, values[i], values.Length);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMismatch(string op, string nameA, int lengthA, string nameB, int lengthB) =>
        throw new ArgumentException($"{op}: {nameA} has shape [{lengthA}] but {nameB} has shape [{lengthB}]; they must match.", nameB);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMatrix(string op, string name, int length, int rows, int cols) =>
        throw new ArgumentException($"{op}: {name} has shape [{length}] but was given as [{rows}×{cols}] = {(long)rows * cols} elements.", name);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotFinite(string op, string name, int index, float value, int length) =>
        throw new ArgumentException($"{op}: {name} [{length}] holds {value} at index {index}; it must be finite.", name);
}
