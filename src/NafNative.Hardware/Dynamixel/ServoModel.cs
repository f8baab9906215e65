namespace NafNative.Hardware.Dynamixel;

/// <summary>What differs between Dynamixel X-series models: model number, name, defaults, limits and which
/// registers exist; plus the unit conversions for position and velocity.</summary>
/// <remarks>
/// <para>Units (ROBOTIS e-manual, each model's control table): position 4096 ticks per revolution
/// (0.088°/tick, 2048 = the horn's centre), velocity 0.229 rev/min per unit. So one position tick is 2π/4096 rad and one
/// velocity unit 0.229·2π/60 = 0.023981 rad/s.</para>
/// </remarks>
public sealed record ServoModel
{
    public const double TicksPerRevolution = 4096;
    public const double RadiansPerTick = 2 * Math.PI / TicksPerRevolution;
    public const double RadiansPerSecondPerVelocityUnit = 0.229 * 2 * Math.PI / 60;
    public const int CenterTick = 2048;

    public required ushort Number { get; init; }
    public required string Name { get; init; }
    /// <summary>Factory Velocity Limit (address 44) in 0.229 rpm units: the no-load speed at the rated voltage.</summary>
    public required int DefaultVelocityLimit { get; init; }
    /// <summary>Largest value the Velocity Limit register accepts.</summary>
    public required int MaxVelocityLimit { get; init; }
    /// <summary>Operating modes the model supports (address 11).</summary>
    public required byte[] OperatingModes { get; init; }
    /// <summary>Whether Current Limit (38) and Goal Current (102) exist.</summary>
    public required bool HasCurrentControl { get; init; }
    /// <summary>Factory Firmware Version the simulator reports.</summary>
    public byte Firmware { get; init; } = 48;

    /// <summary>XM430-W350: 12 V, 4.1 N·m stall; velocity limit 200 (46 rpm) by default, at most 1023.</summary>
    public static readonly ServoModel Xm430W350 = new()
    {
        Number = 1020, Name = "XM430-W350", DefaultVelocityLimit = 200, MaxVelocityLimit = 1023,
        OperatingModes = [0, 1, 3, 4, 5, 16], HasCurrentControl = true,
    };

    /// <summary>XL430-W250: 11.1 V, 1.5 N·m stall; velocity limit 265 (61 rpm), at most 1023; no current control.</summary>
    public static readonly ServoModel Xl430W250 = new()
    {
        Number = 1060, Name = "XL430-W250", DefaultVelocityLimit = 265, MaxVelocityLimit = 1023,
        OperatingModes = [1, 3, 4, 16], HasCurrentControl = false,
    };

    /// <summary>XL330-M288: 5 V, 0.52 N·m stall; velocity limit 445 (102 rpm), at most 2047.</summary>
    public static readonly ServoModel Xl330M288 = new()
    {
        Number = 1200, Name = "XL330-M288", DefaultVelocityLimit = 445, MaxVelocityLimit = 2047,
        OperatingModes = [0, 1, 3, 4, 5, 16], HasCurrentControl = true,
    };

    public static IReadOnlyList<ServoModel> Known { get; } = [Xm430W350, Xl430W250, Xl330M288];

    /// <summary>The model with this model number, or null.</summary>
    public static ServoModel? FromNumber(int number)
    {
        foreach (ServoModel m in Known) if (m.Number == number) return m;
        return null;
    }

    /// <summary>The model with this name (case-insensitive, e.g. "XM430-W350"), or null.</summary>
    public static ServoModel? FromName(string name)
    {
        foreach (ServoModel m in Known) if (string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) return m;
        return null;
    }

    /// <summary>Names of every known model, for error messages.</summary>
    public static string KnownNames => string.Join(", ", Known.Select(m => $"{m.Name} ({m.Number})"));

    /// <summary>Position register ticks → radians from the horn's centre (tick 2048 = 0 rad).</summary>
    public static double TicksToRadians(int ticks) => (ticks - CenterTick) * RadiansPerTick;

    /// <summary>Radians from centre → the nearest position tick.</summary>
    public static int RadiansToTicks(double radians) => (int)Math.Round(radians / RadiansPerTick) + CenterTick;

    /// <summary>Velocity register units (0.229 rpm) → rad/s.</summary>
    public static double VelocityUnitsToRadiansPerSecond(int units) => units * RadiansPerSecondPerVelocityUnit;

    /// <summary>rad/s → velocity register units, rounded toward zero so the command never exceeds the request.</summary>
    public static int RadiansPerSecondToVelocityUnits(double radiansPerSecond) =>
        (int)Math.Truncate(radiansPerSecond / RadiansPerSecondPerVelocityUnit);

    /// <summary>The model's Velocity Limit (units) in rad/s.</summary>
    public double DefaultVelocityLimitRadiansPerSecond => VelocityUnitsToRadiansPerSecond(DefaultVelocityLimit);
}
