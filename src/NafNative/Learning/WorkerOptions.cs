namespace NafNative.Learning;

/// <summary>How a worker paces its robot.</summary>
public enum Pacing
{
    /// <summary>Step the simulator as fast as it runs.</summary>
    AsFastAsPossible,
    /// <summary>One step per control period of the task (<see cref="Environments.IEnvironment.ControlRate"/>), as real
    /// robots run: with it, adding workers adds experience at a fixed rate each, and the learner's ceiling shows.</summary>
    RealTime,
}
