namespace NafNative.Autodiff;

/// <summary>The operations a <see cref="Tape"/> records; backward dispatches on this (no virtual calls).</summary>
internal enum OpCode : byte
{
    MatMul,
    Linear,
    Add,
    Subtract,
    Multiply,
    Scale,
    Relu,
    Tanh,
    Exp,
    Sum,
    Mean,
    SumRows,
    GatherColumns,
    MeanSquaredError,
    WeightedMeanSquaredError,
    NafQ,
}
