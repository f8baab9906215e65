using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>How the tape reads caller tensors, and which gradients Backward clears.</summary>
public sealed class TapeInputTests
{
    [Test]
    public void Input_WithoutGradient_ReadsCallerStorageInPlace()
    {
        var storage = new float[] { 9, 1, 2, 3, 4, 5, 6, 9 };
        var view = new Tensor(storage, 1, new Shape(2, 3));
        var tape = new Tape();
        Var x = tape.Input(view);
        Assert.That(tape.ArenaUsed, Is.Zero, "no copy into the arena");
        Assert.That(tape.Value(x).ToArray(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }).AsCollection);
        storage[1] = -7;
        Assert.That(tape.Value(x)[0], Is.EqualTo(-7f), "the value is a view of the caller's array");
    }

    [Test]
    public void Input_WithGradient_CopiesIntoArena()
    {
        var tensor = new Tensor(new float[] { 1, 2, 3 }, 0, Shape.Vector(3));
        var tape = new Tape();
        Var x = tape.Input(tensor, requiresGradient: true);
        Assert.That(tape.ArenaUsed, Is.EqualTo(3));
        tensor[0, 0] = 100;
        Assert.That(tape.Value(x).ToArray(), Is.EqualTo(new float[] { 1, 2, 3 }).AsCollection, "a copy, so its gradient has a home");
    }

    [Test]
    public void Backward_CalledTwice_InputGradientIsRecomputedNotAccumulated()
    {
        // Backward clears the arena's gradients first; only ParameterVector.Gradients accumulate across calls.
        var tape = new Tape();
        Var x = tape.Input(new Tensor(new float[] { 1, -2, 3 }, 0, Shape.Vector(3)), requiresGradient: true);
        Var loss = tape.Sum(tape.Scale(x, 2.5f));
        tape.Backward(loss);
        tape.Backward(loss);
        Assert.That(tape.Gradient(x).ToArray(), Is.All.EqualTo(2.5f));
        Assert.That(tape.Gradient(loss)[0], Is.EqualTo(1f), "dL/dL is seeded once per Backward");
    }

    [Test]
    public void Shape_OfRecordedVars_FollowsOps()
    {
        var tape = new Tape();
        Var a = tape.Input(new Tensor(5, 7));
        Var w = tape.Input(new Tensor(7, 11));
        Assert.That(tape.MatMul(a, w).Shape, Is.EqualTo(new Shape(5, 11)));
        Assert.That(tape.SumRows(a).Shape, Is.EqualTo(new Shape(5, 1)));
        Assert.That(tape.Sum(a).Shape, Is.EqualTo(Shape.Scalar));
        Assert.That(tape.GatherColumns(a, [6, -1]).Shape, Is.EqualTo(new Shape(5, 2)));
        Assert.That(default(Var).ToString(), Is.EqualTo("Var (none)"));
    }
}
