namespace NafNative.Sim.Arm;

/// <summary>The time-stepping scheme of <see cref="ArmSimulator"/>.</summary>
public enum ArmIntegrator
{
    /// <summary>Semi-implicit (symplectic) Euler with implicit joint damping: one ABA per step, unconditionally stable
    /// for the velocity loop; first-order, so free undamped motion drifts in energy by O(h). The default.</summary>
    SemiImplicitEuler,

    /// <summary>Classical fourth-order Runge–Kutta, controller and friction evaluated at every stage: four ABAs per
    /// step, energy error O(h⁴); explicit, so it needs h·(K_v + b)/armature ≤ 2.78 on every joint (checked).</summary>
    RungeKutta4,
}
