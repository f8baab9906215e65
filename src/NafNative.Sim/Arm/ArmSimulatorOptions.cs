namespace NafNative.Sim.Arm;

/// <summary>How <see cref="ArmSimulator"/> integrates: physics step, control rate, controller and limit switches.</summary>
public sealed record ArmSimulatorOptions
{
    /// <summary>Fixed physics step h (s). Default 2 ms (MuJoCo's default, and the original work's simulator).</summary>
    public double PhysicsStep { get; init; } = 0.002;

    /// <summary>Control rate (Hz): one velocity command is held for 1/ControlRate s, i.e. ControlRate·h must divide 1
    /// (frame-skip = 1/(ControlRate·h) physics steps). Default 20 Hz, the original work's velocity-control rate.</summary>
    public double ControlRate { get; init; } = 20;

    /// <summary>The integrator. Default <see cref="ArmIntegrator.SemiImplicitEuler"/>: cheap and stable for the stiff
    /// velocity loop; use <see cref="ArmIntegrator.RungeKutta4"/> where free-motion accuracy matters.</summary>
    public ArmIntegrator Integrator { get; init; } = ArmIntegrator.SemiImplicitEuler;

    /// <summary>Whether the joint controller adds the model's gravity torques g(q), as real velocity-controlled arms
    /// do. Default true.</summary>
    public bool GravityCompensation { get; init; } = true;

    /// <summary>Whether joint limits are enforced (clamp the angle, zero the velocity into the limit). Default true;
    /// tests of the free dynamics turn it off.</summary>
    public bool EnforceJointLimits { get; init; } = true;

    /// <summary>Physics steps per control step (frame-skip).</summary>
    public int Substeps => (int)Math.Round(1.0 / (ControlRate * PhysicsStep));

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (!(PhysicsStep > 0) || !double.IsFinite(PhysicsStep))
            throw new ArgumentException($"ArmSimulatorOptions.PhysicsStep = {PhysicsStep}: must be a positive number of seconds.");
        if (!(ControlRate > 0) || !double.IsFinite(ControlRate))
            throw new ArgumentException($"ArmSimulatorOptions.ControlRate = {ControlRate}: must be a positive rate in Hz.");
        if (!Enum.IsDefined(Integrator))
            throw new ArgumentException($"ArmSimulatorOptions.Integrator = {(int)Integrator}: not an ArmIntegrator value.");
        double ratio = 1.0 / (ControlRate * PhysicsStep);
        if (ratio < 0.5 || Math.Abs(ratio - Math.Round(ratio)) > 1e-6)
            throw new ArgumentException(
                $"ArmSimulatorOptions: control period 1/{ControlRate} s is not a whole number of physics steps of {PhysicsStep} s; " +
                "pick a PhysicsStep that divides it (e.g. 0.002 s at 20 Hz gives 25 steps).");
    }
}
