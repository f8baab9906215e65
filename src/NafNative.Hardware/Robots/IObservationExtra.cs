namespace NafNative.Hardware.Robots;

/// <summary>Extra observation values from another sensor on a real robot (a door's encoder, a gripper's width),
/// appended after a robot task's own observation.</summary>
/// <remarks>Read by the worker thread at each reset and step, after the joints; must not block longer than a
/// fraction of the control period and must allocate nothing.</remarks>
public interface IObservationExtra
{
    /// <summary>Values it appends.</summary>
    int Size { get; }

    /// <summary>A short name for messages and docs, e.g. "door_angle".</summary>
    string Name { get; }

    /// <summary>Writes <see cref="Size"/> values (scaled to roughly unit size).</summary>
    void Read(Span<float> destination);
}
