using NafNative.Environments;

namespace NafNative.Sim.Tasks;

/// <summary>Door opening over a suite of doors: each episode meets one of them, chosen by the episode's seed (so a
/// seed always meets the same door), or every episode the same one when the worker is given a fixed door.</summary>
/// <remarks>All doors have the same observation and action layout (door tasks of one direction), so one policy serves
/// them; the door is not named in the observation: like a robot in front of an unknown door, the policy has to act on
/// what it senses (handle position, how the door and handle move). Owns and disposes its tasks.</remarks>
public sealed class DoorSuiteEnvironment : IEnvironment
{
    private readonly DoorTask[] _doors;
    private readonly int? _fixed;
    private DoorTask _current;

    /// <param name="doors">The suite's doors, all of one direction.</param>
    /// <param name="fixedDoor">Always this door (index into <paramref name="doors"/>); null: one per episode.</param>
    public DoorSuiteEnvironment(IReadOnlyList<DoorVariant> doors, int? fixedDoor = null)
    {
        ArgumentNullException.ThrowIfNull(doors);
        if (doors.Count == 0) throw new ArgumentException("DoorSuiteEnvironment: the suite has no door.", nameof(doors));
        if (doors.Select(d => d.Direction).Distinct().Count() != 1)
            throw new ArgumentException("DoorSuiteEnvironment: a suite mixes push and pull doors; one policy would not know which it faces.", nameof(doors));
        if (fixedDoor is int f && (f < 0 || f >= doors.Count))
            throw new ArgumentOutOfRangeException(nameof(fixedDoor), f, $"door index must be in [0, {doors.Count}).");
        Variants = [.. doors];
        _doors = new DoorTask[doors.Count];
        try
        {
            for (int i = 0; i < doors.Count; i++) _doors[i] = new DoorTask(doors[i].Options());
        }
        catch
        {
            foreach (var d in _doors) d?.Dispose();
            throw;
        }
        _fixed = fixedDoor;
        _current = _doors[fixedDoor ?? 0];
    }

    public IReadOnlyList<DoorVariant> Variants { get; }

    /// <summary>The door of the current (or last) episode.</summary>
    public DoorVariant CurrentVariant => Variants[Array.IndexOf(_doors, _current)];

    public string Name => _doors[0].Name;
    public int ObservationSize => _doors[0].ObservationSize;
    public int ActionSize => _doors[0].ActionSize;
    public double ControlRate => _doors[0].ControlRate;
    public int MaxEpisodeSteps => _doors[0].MaxEpisodeSteps;
    public bool IsSuccess => _current.IsSuccess;
    public ReadOnlySpan<float> ExecutedAction => _current.ExecutedAction;

    public IGoalRelabeling? GoalRelabeling => _current.GoalRelabeling;

    public void Reset(int seed, Span<float> observation)
    {
        _current = _doors[_fixed ?? DoorFor(seed, _doors.Length)];
        _current.Reset(seed, observation);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation) => _current.Step(action, observation);

    public void Dispose()
    {
        foreach (var d in _doors) d.Dispose();
    }

    /// <summary>The door an episode seed meets: a hash, so consecutive seeds spread over the doors.</summary>
    public static int DoorFor(int seed, int doors) => (int)((uint)(seed * -1640531535) % (uint)doors);
}
