namespace NafNative.Safety;

/// <summary>Why a <see cref="Watchdog"/> tripped.</summary>
public enum WatchdogTripReason
{
    /// <summary>No command arrived within the watchdog's period.</summary>
    Timeout,

    /// <summary>The link to the arm reported a fault.</summary>
    LinkFault,
}
