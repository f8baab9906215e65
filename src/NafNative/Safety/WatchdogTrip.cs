namespace NafNative.Safety;

/// <summary>One latched trip of a <see cref="Watchdog"/>.</summary>
/// <param name="Reason">Timeout or link fault.</param>
/// <param name="SinceLastCommand">Time from the last command (feed) to the trip.</param>
/// <param name="Detail">A sentence for the log: what happened, with the figures.</param>
public sealed record WatchdogTrip(WatchdogTripReason Reason, TimeSpan SinceLastCommand, string Detail);
