using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Asserts that a kernel rejects its arguments with a message naming the operation and the shapes.</summary>
internal static class BadInput
{
    /// <summary>Asserts <paramref name="call"/> throws exactly <see cref="ArgumentException"/> whose message starts
    /// with "<paramref name="operation"/>:" and contains every fragment (the shapes, the offending span).</summary>
    public static ArgumentException AssertRejected(Action call, string operation, params string[] fragments)
    {
        var ex = Assert.Throws<ArgumentException>(call);
        Assert.That(ex.Message, Does.StartWith(operation + ":"), "the message must name the operation");
        foreach (string fragment in fragments)
            Assert.That(ex.Message, Does.Contain(fragment), "the message must name the shapes");
        return ex;
    }
}
