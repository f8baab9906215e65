namespace NafNative.Environments;

/// <summary>An environment whose arm keeps acting between steps (a real arm, or simulated hardware behind a control
/// loop): a worker that has to stop stepping tells it to hold the arm at rest, or to stop it.</summary>
/// <remarks>A simulated task needs neither: its arm does not move between two <see cref="IEnvironment.Step"/> calls.
/// Workers use this when their learner is away (hold, then carry on with the next <see cref="IEnvironment.Reset"/>)
/// and when their watchdog trips (stop).</remarks>
public interface IHoldableEnvironment : IEnvironment
{
    /// <summary>Ends the running episode early, if one runs, and holds the arm at rest through the safety layer (zero
    /// velocity through the safety filter; the control loop, its link checks and the drives' own watchdog keep running)
    /// until the next <see cref="IEnvironment.Reset"/>. The worker's thread.</summary>
    void HoldAtRest();

    /// <summary>Stops the arm now (zero velocity, then torque off), from any thread; latched: every later step throws.
    /// Quick and never throws, so a watchdog callback may call it while the worker thread is stuck.</summary>
    void SafetyStop(string reason);
}
