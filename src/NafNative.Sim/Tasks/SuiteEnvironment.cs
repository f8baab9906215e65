using NafNative.Environments;

namespace NafNative.Sim.Tasks;

/// <summary>A task over a suite of variants (doors, cubes): each episode meets one of them, chosen by the episode's
/// seed (so a seed always meets the same variant), or every episode the same one when the worker is given a fixed
/// variant.</summary>
/// <remarks>All variants are the same task with the same observation and action layout, so one policy serves them;
/// the variant is not named in the observation: like a robot in front of an unknown door or cube, the policy has to act
/// on what it senses (where the handle or cube is, how things move). Owns and disposes its tasks.</remarks>
public sealed class SuiteEnvironment : IEnvironment
{
    private readonly IEnvironment[] _tasks;
    private readonly int? _fixed;
    private IEnvironment _current;

    /// <param name="variants">The suite's variants, all of one task (a suite of doors opens one way).</param>
    /// <param name="fixedVariant">Always this variant (index into <paramref name="variants"/>); null: one per episode.</param>
    public SuiteEnvironment(IReadOnlyList<ITaskVariant> variants, int? fixedVariant = null)
    {
        ArgumentNullException.ThrowIfNull(variants);
        if (variants.Count == 0) throw new ArgumentException("SuiteEnvironment: the suite has no variant.", nameof(variants));
        if (fixedVariant is int f && (f < 0 || f >= variants.Count))
            throw new ArgumentOutOfRangeException(nameof(fixedVariant), f, $"variant index must be in [0, {variants.Count}).");
        Variants = [.. variants];
        _tasks = new IEnvironment[variants.Count];
        try
        {
            for (int i = 0; i < variants.Count; i++) _tasks[i] = variants[i].CreateTask();
            var tasks = _tasks.Select(d => (d.Name, d.ObservationSize, d.ActionSize, d.MaxEpisodeSteps)).Distinct().ToArray();
            if (tasks.Length != 1)
                throw new ArgumentException($"SuiteEnvironment: the suite mixes tasks ({string.Join(", ", _tasks.Select((d, i) => $"{variants[i].Name}: {d.Name}"))}); " +
                    "one policy would not know which it faces.", nameof(variants));
        }
        catch
        {
            foreach (var t in _tasks) t?.Dispose();
            throw;
        }
        _fixed = fixedVariant;
        _current = _tasks[fixedVariant ?? 0];
    }

    public IReadOnlyList<ITaskVariant> Variants { get; }

    /// <summary>The variant of the current (or last) episode.</summary>
    public ITaskVariant CurrentVariant => Variants[Array.IndexOf(_tasks, _current)];

    /// <summary>The task of the current (or last) episode.</summary>
    public IEnvironment Current => _current;

    public string Name => _tasks[0].Name;
    public int ObservationSize => _tasks[0].ObservationSize;
    public int ActionSize => _tasks[0].ActionSize;
    public double ControlRate => _tasks[0].ControlRate;
    public int MaxEpisodeSteps => _tasks[0].MaxEpisodeSteps;
    public bool IsSuccess => _current.IsSuccess;
    public ReadOnlySpan<float> ExecutedAction => _current.ExecutedAction;

    public IGoalRelabeling? GoalRelabeling => _current.GoalRelabeling;

    public void Reset(int seed, Span<float> observation)
    {
        _current = _tasks[_fixed ?? VariantFor(seed, _tasks.Length)];
        _current.Reset(seed, observation);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation) => _current.Step(action, observation);

    public void Dispose()
    {
        foreach (var d in _tasks) d.Dispose();
    }

    /// <summary>The variant an episode seed meets: a hash, so consecutive seeds spread over the suite.</summary>
    public static int VariantFor(int seed, int variants) => (int)((uint)(seed * -1640531535) % (uint)variants);
}
