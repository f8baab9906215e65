using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>Bit-for-bit comparison of float arrays (so −0 ≠ +0 and NaN payloads count), naming the first difference.</summary>
internal static class BitExact
{
    public static void AssertEqual(float[] actual, float[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            int a = BitConverter.SingleToInt32Bits(actual[i]), e = BitConverter.SingleToInt32Bits(expected[i]);
            if (a != e)
                Assert.Fail($"{what}: element {i} is {actual[i]:R} (0x{a:x8}), expected {expected[i]:R} (0x{e:x8}).");
        }
    }
}
