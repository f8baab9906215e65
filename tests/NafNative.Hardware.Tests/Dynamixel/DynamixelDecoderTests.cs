using NafNative.Hardware.Dynamixel;

namespace NafNative.Hardware.Tests.Dynamixel;

public sealed class DynamixelDecoderTests
{
    private static readonly byte[] Ping1Status = Hex.Bytes("FF FF FD 00 01 07 00 55 00 06 04 26 65 5D");

    [Test]
    public void Decode_GarbageBeforePacket_SkipsItAndFindsThePacket()
    {
        byte[] input = [.. Hex.Bytes("00 13 FF FF 42 FF FD"), .. Ping1Status];
        var p = new byte[16];
        var result = DecodeAll(input, p, out var frames, out int corrupt);
        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(frames[0].Id, Is.EqualTo(1));
        Assert.That(corrupt, Is.Zero);
        Assert.That(result, Is.EqualTo(input.Length));
    }

    [Test]
    public void Decode_BadCrc_ReportsCorruptThenResynchronisesOnTheNextPacket()
    {
        byte[] bad = (byte[])Ping1Status.Clone();
        bad[^1] ^= 0xFF;
        byte[] input = [.. bad, .. Ping1Status];
        var p = new byte[16];
        var first = DynamixelDecoder.Decode(input, p, out var frame, out int consumed);
        Assert.That(first, Is.EqualTo(DecodeResult.Corrupt));
        Assert.That(frame.Reason, Is.EqualTo(CorruptReason.CrcMismatch));
        DecodeAll(input, p, out var frames, out int corrupt);
        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(corrupt, Is.EqualTo(1));
    }

    [Test]
    public void Decode_PacketSplitAcrossReads_NeedsMoreDataUntilComplete()
    {
        var p = new byte[16];
        for (int cut = 0; cut < Ping1Status.Length; cut++)
        {
            var result = DynamixelDecoder.Decode(Ping1Status.AsSpan(0, cut), p, out _, out int consumed);
            Assert.That(result, Is.EqualTo(DecodeResult.NeedMoreData), $"cut at {cut}");
            Assert.That(consumed, Is.Zero, $"a partial packet is kept (cut at {cut})");
        }
    }

    [TestCase("FF FF FD 00 FD 03 00 01 00 00", CorruptReason.BadId)]
    [TestCase("FF FF FD 00 01 02 00 01 00 00", CorruptReason.BadLength)]
    [TestCase("FF FF FD 00 01 FF 7F 01 00 00", CorruptReason.BadLength)]
    public void Decode_MalformedHeader_ReportsTheReason(string hex, CorruptReason reason)
    {
        var result = DynamixelDecoder.Decode(Hex.Bytes(hex), new byte[16], out var frame, out int consumed);
        Assert.That(result, Is.EqualTo(DecodeResult.Corrupt));
        Assert.That(frame.Reason, Is.EqualTo(reason));
        Assert.That(consumed, Is.EqualTo(1), "only the bad header's first byte is consumed");
    }

    [Test]
    public void Decode_ParametersLargerThanBuffer_IsCorruptNotAnOverrun()
    {
        var packet = new byte[64];
        int n = DynamixelPacket.WriteStatus(packet, 3, 0, new byte[20]);
        var result = DynamixelDecoder.Decode(packet.AsSpan(0, n), new byte[8], out var frame, out _);
        Assert.That(result, Is.EqualTo(DecodeResult.Corrupt));
        Assert.That(frame.Reason, Is.EqualTo(CorruptReason.ParametersTooLong));
    }

    [Test]
    public void Decode_RandomStreamsWithEmbeddedPackets_NeverThrowsOrHangsAndFindsEveryIntactPacket()
    {
        var random = new Random(20261203);
        var p = new byte[DynamixelPacket.MaxPacketLength];
        var packet = new byte[DynamixelPacket.MaxPacketLength];
        for (int trial = 0; trial < 500; trial++)
        {
            var stream = new List<byte>();
            int planted = 0;
            for (int piece = 0; piece < 20; piece++)
            {
                int kind = random.Next(4);
                if (kind == 0)
                {
                    var parameters = new byte[random.Next(0, 40)];
                    random.NextBytes(parameters);
                    int n = DynamixelPacket.WriteStatus(packet, (byte)random.Next(0, 253), 0, parameters);
                    stream.AddRange(packet.AsSpan(0, n).ToArray());
                    planted++;
                }
                else if (kind == 1)
                {
                    // A truncated packet: a header and some of a body, then the stream goes on.
                    int n = DynamixelPacket.WriteStatus(packet, 5, 0, [1, 2, 3, 4]);
                    stream.AddRange(packet.AsSpan(0, random.Next(1, n - 1)).ToArray());
                }
                else
                {
                    var garbage = new byte[random.Next(0, 30)];
                    random.NextBytes(garbage);
                    if (random.Next(3) == 0 && garbage.Length > 4) { garbage[0] = 0xFF; garbage[1] = 0xFF; garbage[2] = 0xFD; garbage[3] = 0; }
                    stream.AddRange(garbage);
                }
            }
            // A truncated packet can swallow the start of the next planted one, so not every packet must be found; but
            // every frame found is a valid packet, decoding terminates, and at least the last planted one is found.
            // A garbage header can declare up to ~1 KB of body and so hide what follows until that many bytes have come;
            // on a live line more bytes keep arriving, its CRC then fails and the decoder resynchronises. Model that
            // with a kilobyte of line noise after the final packet.
            int m = DynamixelPacket.WriteStatus(packet, 9, 0, [9, 9, 9]);
            stream.AddRange(packet.AsSpan(0, m).ToArray());
            stream.AddRange(new byte[DynamixelPacket.MaxPacketLength + 8]);
            int consumedTotal = DecodeAll([.. stream], p, out var frames, out _);
            Assert.That(consumedTotal, Is.LessThanOrEqualTo(stream.Count));
            Assert.That(frames, Is.Not.Empty, $"trial {trial}");
            Assert.That(frames.Exists(f => f.Id == 9 && f.ParameterLength == 3), Is.True, $"trial {trial}: the final intact packet is found");
            Assert.That(frames.Count, Is.LessThanOrEqualTo(planted + 1 + 20));
        }
    }

    [Test]
    public void Decode_EveryTruncationOfRandomPackets_NeverThrows()
    {
        var random = new Random(7);
        var packet = new byte[256];
        var p = new byte[256];
        for (int trial = 0; trial < 300; trial++)
        {
            var parameters = new byte[random.Next(0, 100)];
            random.NextBytes(parameters);
            int n = DynamixelPacket.WriteInstruction(packet, (byte)random.Next(0, 253), DynamixelInstruction.Write, parameters);
            for (int cut = 0; cut <= n; cut++)
            {
                var span = packet.AsSpan(0, cut);
                var r = DynamixelDecoder.Decode(span, p, out _, out int consumed);
                Assert.That(consumed, Is.InRange(0, cut));
                Assert.That(r, Is.EqualTo(cut == n ? DecodeResult.Packet : DecodeResult.NeedMoreData));
            }
            // Flip one byte: the decoder never accepts it as the same packet with different content.
            int flip = random.Next(0, n);
            packet[flip] ^= (byte)(1 << random.Next(8));
            var flipped = DynamixelDecoder.Decode(packet.AsSpan(0, n), p, out var f, out _);
            if (flipped == DecodeResult.Packet)
                Assert.That(flip, Is.LessThan(4).Or.GreaterThanOrEqualTo(n), "a CRC-protected byte changed yet the packet passed");
        }
    }

    // Decodes a whole buffer the way a receiver does; returns bytes consumed.
    private static int DecodeAll(byte[] input, byte[] p, out List<DynamixelFrame> frames, out int corrupt)
    {
        frames = [];
        corrupt = 0;
        int at = 0;
        for (int guard = 0; guard < input.Length * 2 + 2; guard++)
        {
            var result = DynamixelDecoder.Decode(input.AsSpan(at), p, out var frame, out int consumed);
            at += consumed;
            if (result == DecodeResult.Packet) frames.Add(frame);
            else if (result == DecodeResult.Corrupt) corrupt++;
            else return at;
        }
        Assert.Fail("the decoder did not finish: it made no progress");
        return at;
    }
}
