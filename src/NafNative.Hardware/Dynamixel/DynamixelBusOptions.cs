namespace NafNative.Hardware.Dynamixel;

/// <summary>How a <see cref="DynamixelBus"/> times and retries its transactions.</summary>
public sealed record DynamixelBusOptions
{
    /// <summary>Added to every read timeout on top of the bytes' time on the wire: the USB adapter's latency timer plus
    /// the servos' Return Delay Time. ROBOTIS' SDK allows 2 × 16 ms + 2 ms; 10 ms suits a U2D2 with its latency timer at
    /// 1 ms and Return Delay Time 0–250 (≤ 0.5 ms).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Extra attempts after a timeout or a corrupted reply (a status error is not retried).</summary>
    public int Retries { get; init; } = 2;

    /// <summary>The servos' Status Return Level (address 68): 2 = every instruction answers (factory default);
    /// 1 = only PING and READ answer; 0 = only PING.</summary>
    public int StatusReturnLevel { get; init; } = 2;

    public void Validate()
    {
        if (Latency < TimeSpan.Zero || Latency > TimeSpan.FromSeconds(5))
            throw new ArgumentOutOfRangeException(nameof(Latency), Latency, "Dynamixel bus: Latency must be between 0 and 5 s.");
        if (Retries is < 0 or > 20)
            throw new ArgumentOutOfRangeException(nameof(Retries), Retries, "Dynamixel bus: Retries must be between 0 and 20.");
        if (StatusReturnLevel is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(StatusReturnLevel), StatusReturnLevel, "Dynamixel bus: StatusReturnLevel must be 0, 1 or 2.");
    }
}

/// <summary>A servo that answered a PING: its ID, model number and firmware version.</summary>
public readonly record struct PingResult(byte Id, ushort ModelNumber, byte Firmware)
{
    /// <summary>The known model, or null for a model this project has no control table for.</summary>
    public ServoModel? Model => ServoModel.FromNumber(ModelNumber);
}

/// <summary>One servo's part of a BULK READ: read <see cref="Length"/> bytes at <see cref="Address"/>.</summary>
public readonly record struct BulkReadEntry(byte Id, ushort Address, ushort Length);

/// <summary>One servo's part of a BULK WRITE; its data are the next <see cref="Length"/> bytes of the data span.</summary>
public readonly record struct BulkWriteEntry(byte Id, ushort Address, ushort Length);
