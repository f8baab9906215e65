using NafNative.Autodiff;
using NafNative.Tensors;
using NUnit.Framework;

namespace NafNative.Tests.Autodiff;

/// <summary>Misuse of the tape throws the most specific exception, with a message naming the op and the shapes.</summary>
public sealed class TapeBadInputTests
{
    private Tape _tape = null!;

    [SetUp]
    public void CreateTape() => _tape = new Tape();

    private Var Input(int rows, int cols, bool requiresGradient = false) =>
        _tape.Input(new Tensor(rows, cols), requiresGradient);

    [Test]
    public void MatMul_InnerDimensionsDiffer_ThrowsArgumentExceptionNamingBothShapes()
    {
        Var a = Input(3, 4), b = Input(5, 2);
        var ex = Assert.Throws<ArgumentException>(() => _tape.MatMul(a, b));
        Assert.That(ex.Message, Does.Contain("Tape.MatMul").And.Contain("[3×4]").And.Contain("[5×2]"));
    }

    [Test]
    public void Linear_WeightRowsDifferFromInputColumns_ThrowsArgumentExceptionNamingBothShapes()
    {
        Var x = Input(5, 7), weight = Input(6, 11), bias = Input(1, 11);
        var ex = Assert.Throws<ArgumentException>(() => _tape.Linear(x, weight, bias));
        Assert.That(ex.Message, Does.Contain("Tape.Linear").And.Contain("[5×7]").And.Contain("[6×11]"));
    }

    [TestCase(1, 10)]
    [TestCase(2, 11)]
    [TestCase(11, 1)]
    public void Linear_BiasNotOneByOut_ThrowsArgumentExceptionNamingWeightAndBias(int biasRows, int biasCols)
    {
        Var x = Input(5, 7), weight = Input(7, 11), bias = Input(biasRows, biasCols);
        var ex = Assert.Throws<ArgumentException>(() => _tape.Linear(x, weight, bias));
        Assert.That(ex.Message, Does.Contain("Tape.Linear").And.Contain("[7×11]").And.Contain($"[{biasRows}×{biasCols}]"));
        Assert.That(ex.ParamName, Is.EqualTo("bias"));
    }

    [TestCase("Tape.Add")]
    [TestCase("Tape.Subtract")]
    [TestCase("Tape.Multiply")]
    public void Binary_ShapesDiffer_ThrowsArgumentExceptionNamingBothShapes(string op)
    {
        Var a = Input(3, 5), b = Input(5, 3);
        Func<Var, Var, Var> call = op switch
        {
            "Tape.Add" => _tape.Add,
            "Tape.Subtract" => _tape.Subtract,
            _ => _tape.Multiply,
        };
        var ex = Assert.Throws<ArgumentException>(() => call(a, b));
        Assert.That(ex.Message, Does.Contain(op + ":").And.Contain("[3×5]").And.Contain("[5×3]"));
    }

    [Test]
    public void Binary_SameLengthDifferentShape_Throws()
    {
        // [1×15] and [3×5] have equal lengths, so a check on lengths alone would miss this.
        Var a = Input(1, 15), b = Input(3, 5);
        var ex = Assert.Throws<ArgumentException>(() => _tape.Add(a, b));
        Assert.That(ex.Message, Does.Contain("[1×15]").And.Contain("[3×5]"));
    }

    [Test]
    public void MeanSquaredError_ShapesDiffer_ThrowsArgumentExceptionNamingBothShapes()
    {
        Var prediction = Input(4, 3), target = Input(4, 2);
        var ex = Assert.Throws<ArgumentException>(() => _tape.MeanSquaredError(prediction, target));
        Assert.That(ex.Message, Does.Contain("Tape.MeanSquaredError").And.Contain("[4×3]").And.Contain("[4×2]"));
    }

    [TestCase(float.NaN, "NaN")]
    [TestCase(float.PositiveInfinity, "Infinity")]
    public void MeanSquaredError_NonFiniteTarget_ThrowsArgumentExceptionFromLossKernel(float bad, string shown)
    {
        // The tape passes the target to Loss.MeanSquaredError, whose finiteness check names itself and the index.
        var target = new Tensor(2, 3);
        target[1, 2] = bad;
        Var prediction = Input(2, 3, requiresGradient: true);
        var ex = Assert.Throws<ArgumentException>(() => _tape.MeanSquaredError(prediction, _tape.Input(target)));
        Assert.That(ex.Message, Does.Contain("Loss.MeanSquaredError").And.Contain("target").And.Contain(shown).And.Contain("index 5"));
    }

    [Test]
    public void Backward_NonScalarLoss_ThrowsArgumentExceptionNamingShape()
    {
        Var y = _tape.Relu(Input(3, 5, requiresGradient: true));
        var ex = Assert.Throws<ArgumentException>(() => _tape.Backward(y));
        Assert.That(ex.Message, Does.Contain("Tape.Backward").And.Contain("[3×5]").And.Contain("[1×1]"));
    }

    [Test]
    public void Backward_LossNeedsNoGradient_ThrowsInvalidOperation()
    {
        Var loss = _tape.Sum(Input(3, 5));
        var ex = Assert.Throws<InvalidOperationException>(() => _tape.Backward(loss));
        Assert.That(ex.Message, Does.Contain("Tape.Backward"));
    }

    [Test]
    public void Gradient_VarNeedsNone_ThrowsInvalidOperation()
    {
        Var constant = Input(2, 2);
        Var computed = _tape.Exp(constant);
        var ex = Assert.Throws<InvalidOperationException>(() => _tape.Gradient(computed));
        Assert.That(ex.Message, Does.Contain("Tape.Gradient").And.Contain("[2×2]"));
        Assert.Throws<InvalidOperationException>(() => _tape.Gradient(constant));
    }

    [Test]
    public void Ops_VarFromAnotherTape_ThrowArgumentException()
    {
        Var foreign = new Tape().Input(new Tensor(3, 5), requiresGradient: true);
        Var mine = Input(3, 5);
        Assert.Multiple(() =>
        {
            AssertNotOwned(() => _tape.Add(mine, foreign));
            AssertNotOwned(() => _tape.Relu(foreign));
            AssertNotOwned(() => _tape.Sum(foreign));
            AssertNotOwned(() => _tape.Value(foreign), "Tape.Value");
            AssertNotOwned(() => _tape.Gradient(foreign), "Tape.Gradient");
            AssertNotOwned(() => _tape.Backward(foreign), "Tape.Backward");
        });
    }

    [Test]
    public void Ops_VarFromBeforeReset_ThrowArgumentException()
    {
        Var stale = Input(3, 5, requiresGradient: true);
        _tape.Reset();
        AssertNotOwned(() => _tape.Value(stale), "Tape.Value");
        AssertNotOwned(() => _tape.Relu(stale));
    }

    [Test]
    public void Ops_VarFromBeforeResetWhoseIdIsReused_ThrowArgumentException()
    {
        // After Reset the new step records vars with the same ids again; a stale handle must not silently alias one.
        Var stale = _tape.Exp(Input(3, 5, requiresGradient: true));
        _tape.Reset();
        Var fresh = _tape.Exp(Input(3, 5, requiresGradient: true));
        Assert.That(fresh.Id, Is.EqualTo(stale.Id), "fixture: the new step reuses the stale handle's id (else this test proves nothing)");
        AssertNotOwned(() => _tape.Value(stale), "Tape.Value");
        AssertNotOwned(() => _tape.Add(stale, fresh));
        AssertNotOwned(() => _tape.Backward(_tape.Sum(stale)));
    }

    [TestCase(5)]
    [TestCase(-2)]
    public void GatherColumns_IndexOutOfRange_ThrowsArgumentExceptionNamingIndexAndShape(int bad)
    {
        Var a = Input(2, 5);
        var ex = Assert.Throws<ArgumentException>(() => _tape.GatherColumns(a, [0, 4, bad, -1]));
        Assert.That(ex.Message, Does.Contain("Tape.GatherColumns").And.Contain($"index[2] = {bad}").And.Contain("[2×5]"));
        Assert.That(ex.ParamName, Is.EqualTo("index"));
    }

    [TestCase(float.NaN)]
    [TestCase(float.NegativeInfinity)]
    public void Scale_NonFiniteFactor_ThrowsArgumentException(float factor)
    {
        Var a = Input(3, 5);
        var ex = Assert.Throws<ArgumentException>(() => _tape.Scale(a, factor));
        Assert.That(ex.Message, Does.Contain("Tape.Scale").And.Contain("[3×5]"));
    }

    [Test]
    public void Mean_EmptyInput_ThrowsArgumentException()
    {
        Var a = Input(0, 5);
        var ex = Assert.Throws<ArgumentException>(() => _tape.Mean(a));
        Assert.That(ex.Message, Does.Contain("Tape.Mean").And.Contain("[0×5]"));
    }

    [Test]
    public void Parameter_SliceOutsideVector_ThrowsArgumentException()
    {
        var small = new ParameterLayout();
        small.Add("w", new Shape(2, 2));
        var parameters = new ParameterVector(small);
        var foreignSlice = new ParameterSlice("other", 2, new Shape(2, 2));
        var ex = Assert.Throws<ArgumentException>(() => _tape.Parameter(parameters, foreignSlice));
        Assert.That(ex.Message, Does.Contain("Tape.Parameter").And.Contain("other [2×2] @ 2").And.Contain("[4]"));
    }

    [Test]
    public void ParameterLayout_DuplicateName_ThrowsArgumentException()
    {
        var layout = new ParameterLayout();
        layout.Add("w", new Shape(2, 2));
        var ex = Assert.Throws<ArgumentException>(() => layout.Add("w", Shape.Vector(3)));
        Assert.That(ex.Message, Does.Contain("ParameterLayout.Add").And.Contain("'w'"));
    }

    private static void AssertNotOwned(Action call, string? op = null)
    {
        var ex = Assert.Throws<ArgumentException>(call);
        Assert.That(ex!.Message, Does.Contain("does not belong to this tape's current step"));
        if (op is not null) Assert.That(ex.Message, Does.Contain(op + ":"));
    }
}
