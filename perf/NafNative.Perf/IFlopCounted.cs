namespace NafNative.Perf;

/// <summary>A benchmark class that knows how many floating-point operations one invocation of its case performs,
/// so <see cref="GflopsColumn"/> can turn mean time into GFLOP/s.</summary>
public interface IFlopCounted
{
    /// <summary>FLOPs of one operation for the given parameter values (by name, as BenchmarkDotNet reports them).</summary>
    double FlopsPerOperation(IReadOnlyDictionary<string, object> parameters, string method);
}
