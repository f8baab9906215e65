using System.Text;
using NafNative.Interop.TensorBoard;
using NUnit.Framework;

namespace NafNative.Tests.Interop.TensorBoard;

[TestFixture]
public sealed class Crc32CTests
{
    // RFC 3720 (iSCSI) appendix B.4 test vectors, and the classic check value of "123456789".
    [TestCase("", 0x00000000u)]
    [TestCase("123456789", 0xE3069283u)]
    public void Compute_KnownText_GivesPublishedValue(string text, uint expected) =>
        Assert.That(Crc32C.Compute(Encoding.ASCII.GetBytes(text)), Is.EqualTo(expected));

    [Test]
    public void Compute_Rfc3720Vectors_GivePublishedValues()
    {
        var zeros = new byte[32];
        var ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        var ascending = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var descending = Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(Crc32C.Compute(zeros), Is.EqualTo(0x8A9136AAu));
            Assert.That(Crc32C.Compute(ones), Is.EqualTo(0x62A8AB43u));
            Assert.That(Crc32C.Compute(ascending), Is.EqualTo(0x46DD794Eu));
            Assert.That(Crc32C.Compute(descending), Is.EqualTo(0x113FDB5Cu));
        });
    }

    [Test]
    public void Mask_IsRotateRight15PlusTfRecordConstant()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Crc32C.Mask(0), Is.EqualTo(0xA282EAD8u));
            // 0x00008000 rotated right by 15 is 1.
            Assert.That(Crc32C.Mask(0x00008000u), Is.EqualTo(0xA282EAD9u));
            // Bit 0 rotates to bit 17; the sum wraps modulo 2^32.
            Assert.That(Crc32C.Mask(0xFFFFFFFFu), Is.EqualTo(unchecked(0xFFFFFFFFu + 0xA282EAD8u)));
            Assert.That(Crc32C.Mask(1u), Is.EqualTo(0x00020000u + 0xA282EAD8u));
        });
    }
}
