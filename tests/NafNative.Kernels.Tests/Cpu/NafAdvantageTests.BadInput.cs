using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

public sealed partial class NafAdvantageTests
{
    // batch 5, n = 7: head width 1 + 7 + 28 = 36, saved width 14.
    private const int B = 5, N = 7, Width = 36;

    [Test]
    public void HeadWidth_SevenActions_IsThirtySix() =>
        Assert.That((NafAdvantage.HeadWidth(N), NafAdvantage.SavedWidth(N)), Is.EqualTo((Width, 14)));

    [TestCase("head", B * Width - 1, B * N, B, B * 2 * N, "got head [179]")]
    [TestCase("actions", B * Width, B * N + 1, B, B * 2 * N, "actions [36]")]
    [TestCase("q", B * Width, B * N, B - 1, B * 2 * N, "q/dQ [4]")]
    [TestCase("saved", B * Width, B * N, B, B * 2 * N - 2, "saved [68]")]
    public void Forward_SpanLengthWrong_ThrowsNamingOperationAndShapes(string which, int head, int actions, int q, int saved, string got) =>
        BadInput.AssertRejected(() => NafAdvantage.Forward(new float[head], new float[actions], B, N, new float[q], new float[saved]),
            "NafAdvantage.Forward", "batch 5 and n = 7", "expected head [5×36], actions [5×7], q/dQ [5], saved [5×14]", got);

    [TestCase("head", B * Width + 1, B * N, B, B * 2 * N, "got head [181]")]
    [TestCase("actions", B * Width, B * N - 1, B, B * 2 * N, "actions [34]")]
    [TestCase("dq", B * Width, B * N, B + 1, B * 2 * N, "q/dQ [6]")]
    [TestCase("saved", B * Width, B * N, B, B * N, "saved [35]")]
    public void Backward_SpanLengthWrong_ThrowsNamingOperationAndShapes(string which, int head, int actions, int dq, int saved, string got) =>
        BadInput.AssertRejected(
            () => NafAdvantage.Backward(new float[head], new float[actions], new float[saved], new float[dq], B, N, new float[head]),
            "NafAdvantage.Backward", "expected head [5×36], actions [5×7], q/dQ [5], saved [5×14]", got);

    [Test]
    public void Backward_GradientLengthDiffersFromHead_ThrowsNamingBothShapes()
    {
        var ex = BadInput.AssertRejected(
            () => NafAdvantage.Backward(new float[B * Width], new float[B * N], new float[B * 2 * N], new float[B], B, N, new float[B * Width - 1]),
            "NafAdvantage.Backward", "head has shape [180]", "dHead has shape [179]");
        Assert.That(ex.ParamName, Is.EqualTo("dHead"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void ForwardBackward_NoActionDimensions_ThrowsNamingOperationAndShapes(int n)
    {
        BadInput.AssertRejected(() => NafAdvantage.Forward(new float[B], [], B, n, new float[B], []),
            "NafAdvantage.Forward", $"n = {n}", "got head [5]");
        BadInput.AssertRejected(() => NafAdvantage.Backward(new float[B], [], [], new float[B], B, n, new float[B]),
            "NafAdvantage.Backward", $"n = {n}", "got head [5]");
    }

    [Test]
    public void ForwardBackward_NegativeBatch_ThrowsNamingOperationAndShapes()
    {
        BadInput.AssertRejected(() => NafAdvantage.Forward([], [], -1, N, [], []), "NafAdvantage.Forward", "batch -1");
        BadInput.AssertRejected(() => NafAdvantage.Backward([], [], [], [], -1, N, []), "NafAdvantage.Backward", "batch -1");
    }

    [Test]
    public void ForwardBackward_MoreThanMaxActions_ThrowsOutOfRangeNamingOperationAndLimit()
    {
        // Spans sized correctly for n = MaxActions + 1, so only the limit can reject them. Backward keeps one row of
        // n floats on the stack; Forward rejects the same n so a forward pass never succeeds that cannot be undone.
        const int n = NafAdvantage.MaxActions + 1;
        int width = NafAdvantage.HeadWidth(n);
        var head = new float[width];
        var actions = new float[n];
        var saved = new float[NafAdvantage.SavedWidth(n)];
        var forward = Assert.Throws<ArgumentOutOfRangeException>(() => NafAdvantage.Forward(head, actions, 1, n, new float[1], saved));
        var backward = Assert.Throws<ArgumentOutOfRangeException>(() => NafAdvantage.Backward(head, actions, saved, new float[1], 1, n, new float[width]));
        Assert.Multiple(() =>
        {
            Assert.That(forward.Message, Does.StartWith("NafAdvantage.Forward:").And.Contain($"{NafAdvantage.MaxActions}"));
            Assert.That(backward.Message, Does.StartWith("NafAdvantage.Backward:").And.Contain($"{NafAdvantage.MaxActions}"));
            Assert.That(forward.ParamName, Is.EqualTo("n"));
            Assert.That(backward.ParamName, Is.EqualTo("n"));
        });
    }

    [Test]
    public void GreedyAction_HeadRowTooShort_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => NafAdvantage.GreedyAction(new float[Width - 1], N, new float[N]),
            "NafAdvantage.GreedyAction", "head row [35]", "[36]");

    [Test]
    public void GreedyAction_ActionLengthWrong_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => NafAdvantage.GreedyAction(new float[Width], N, new float[N + 1]),
            "NafAdvantage.GreedyAction", "action [8]", "[7]");
}
