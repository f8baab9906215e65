using System.Globalization;

namespace NafNative.Kernels.Cpu;

/// <summary>How <see cref="Gemm"/> blocks its loops: the widest B panel in vectors (the register tile is 4 rows ×
/// <see cref="MaxVectors"/> vectors) and the depth of one packed B block. Written <c>VxD</c>, e.g. <c>3x128</c>.</summary>
/// <remarks>The best blocking differs between CPUs (register file, FMA ports and latency, L1 size): a 4-row × 3-vector
/// tile fills AVX2's 16 registers, AVX-512's 32 also hold 4 × 4; a shallower block keeps the panel in a smaller L1.
/// <see cref="Rule"/> is the choice by those rules; a calibration can pick among <see cref="Candidates"/> instead.</remarks>
public readonly record struct GemmPlan(int MaxVectors, int DepthBlock)
{
    /// <summary>The deepest block: its packed panel (up to 4 × 16 floats wide) stays under 64 KB of stack.</summary>
    public const int MaxDepthBlock = 256;

    /// <summary>The plan by rule for a SIMD width: 4 × 4 vectors on AVX-512 (32 registers), 4 × 3 on AVX2 (16:
    /// 4 × 4 would spill), both 128 deep (a 32 KB panel in a 48 KB L1).</summary>
    public static GemmPlan Rule(SimdWidth width) => new(width == SimdWidth.Vector512 ? 4 : 3, 128);

    /// <summary>Plans a calibration compares for a SIMD width: 2 or 3 (and on AVX-512 4) vectors, 64, 128 or 256 deep.</summary>
    public static IReadOnlyList<GemmPlan> Candidates(SimdWidth width)
    {
        var plans = new List<GemmPlan>();
        for (int v = 2; v <= MostVectors(width); v++)
            foreach (int d in (int[])[64, 128, 256])
                plans.Add(new GemmPlan(v, d));
        return plans;
    }

    /// <summary>The most vectors a panel may have at <paramref name="width"/>: 4 (AVX-512), 3 (AVX2), 1 (scalar: unused).</summary>
    public static int MostVectors(SimdWidth width) => width switch { SimdWidth.Vector512 => 4, SimdWidth.Vector256 => 3, _ => 1 };

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong with this plan.</summary>
    public void Validate()
    {
        if (MaxVectors is < 1 or > 4)
            throw new ArgumentException($"GEMM plan {this}: panel width {MaxVectors} vectors must be 1 to 4.");
        if (DepthBlock < 8 || DepthBlock > MaxDepthBlock || DepthBlock % 8 != 0)
            throw new ArgumentException($"GEMM plan {this}: depth block {DepthBlock} must be a multiple of 8 from 8 to {MaxDepthBlock}.");
    }

    public override string ToString() => $"{MaxVectors}x{DepthBlock}";

    /// <summary>Reads <c>VxD</c> (e.g. <c>3x128</c>); throws <see cref="ArgumentException"/> quoting the text.</summary>
    public static GemmPlan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int v)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int d))
            throw new ArgumentException($"GEMM plan '{text}': write VECTORSxDEPTH, e.g. 3x128.");
        var plan = new GemmPlan(v, d);
        plan.Validate();
        return plan;
    }
}
