using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NafNative.Kernels.Cpu;

internal readonly struct AddOp : IBinaryOp
{
    public float Invoke(float a, float b) => a + b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a + b;
}

internal readonly struct SubtractOp : IBinaryOp
{
    public float Invoke(float a, float b) => a - b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a - b;
}

internal readonly struct MultiplyOp : IBinaryOp
{
    public float Invoke(float a, float b) => a * b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * b;
}

/// <summary>(a − b)², the MSE summand.</summary>
internal readonly struct SquaredDifferenceOp : IBinaryOp
{
    public float Invoke(float a, float b) { float d = a - b; return d * d; }
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) { var d = a - b; return d * d; }
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) { var d = a - b; return d * d; }
}

/// <summary>s · (a − b), the MSE gradient with s = 2·dL/n.</summary>
internal readonly struct ScaledDifferenceOp(float scale) : IBinaryOp
{
    private readonly float _scale = scale;
    public float Invoke(float a, float b) => _scale * (a - b);
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Create(_scale) * (a - b);
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Create(_scale) * (a - b);
}

internal readonly struct ScaleOp(float scale) : IUnaryOp
{
    private readonly float _scale = scale;
    public float Invoke(float x) => _scale * x;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(_scale) * x;
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Create(_scale) * x;
}

/// <summary>Ignores its input and yields a constant: with <see cref="Accumulate"/> it adds the constant.</summary>
internal readonly struct ConstantOp(float value) : IUnaryOp
{
    private readonly float _value = value;
    public float Invoke(float x) => _value;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(_value);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Create(_value);
}

internal readonly struct ReluOp : IUnaryOp
{
    public float Invoke(float x) => MathF.Max(x, 0f); // IEEE maximum, like Vector*.Max: NaN propagates on every path
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}

/// <summary>dy where the ReLU's input x was positive, else 0 (the subgradient at 0 is taken as 0).</summary>
internal readonly struct ReluGradOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float x, float dy) => x > 0f ? dy : 0f;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, Vector512<float>.Zero);
}

/// <summary>dy · (1 − y²) with y = tanh(x) from the forward pass.</summary>
internal readonly struct TanhGradOp : IBinaryOp
{
    public float Invoke(float y, float dy) => dy * (1f - y * y);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
}

internal readonly struct IdentityOp : IUnaryOp
{
    public float Invoke(float x) => x;
    public Vector256<float> Invoke(Vector256<float> x) => x;
    public Vector512<float> Invoke(Vector512<float> x) => x;
}
