using System.Text.Json;
using System.Text.Json.Nodes;
using NafNative.Kernels.Cpu;
using NafNative.Storage;

namespace NafNative.Tuning;

/// <summary>Where a kernel choice came from.</summary>
public enum TuningSource
{
    /// <summary>By rule for the SIMD width (<see cref="GemmPlan.Rule"/>).</summary>
    Rule,
    /// <summary>Forced by <see cref="KernelTuning.Variable"/>.</summary>
    Forced,
    /// <summary>A calibration of this CPU model, read from the cache.</summary>
    Cached,
    /// <summary>Calibrated now (and written to the cache).</summary>
    Calibrated,
}

/// <summary>The kernels' blocking for this process and why.</summary>
public sealed record KernelChoice(GemmPlan Plan, TuningSource Source, string Why, string CpuKey, IReadOnlyList<GemmCalibration.Timing> Timings);

/// <summary>Chooses the CPU kernels' blocking for the CPU at hand: the plan a short calibration found fastest on this
/// CPU model (cached in the user's cache folder, so it runs once per machine), unless <see cref="Variable"/> forces a
/// plan or the rule.</summary>
/// <remarks><see cref="Variable"/>: unset or <c>auto</c> (cached, else calibrate and cache), <c>calibrate</c>
/// (measure again and rewrite the cache), <c>rule</c> (no measurement: <see cref="GemmPlan.Rule"/>), or a plan such as
/// <c>3x128</c>. A cache file that cannot be read or holds a bad plan is reported and rewritten, never trusted.</remarks>
public static class KernelTuning
{
    public const string Variable = "NAFNATIVE_GEMM_PLAN";
    private const string Format = "nafnative-kernel-tuning";
    private const int Version = 1;
    private static readonly object Gate = new();

    /// <summary>The choice <see cref="Apply"/> made in this process (null before).</summary>
    public static KernelChoice? Current { get; private set; }

    /// <summary>$XDG_CACHE_HOME/nafnative/kernels.json, else ~/.cache/nafnative/kernels.json.</summary>
    public static string DefaultCacheFile
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "nafnative", "kernels.json");
        }
    }

    /// <summary>Chooses once per process (from <see cref="Variable"/> and <see cref="DefaultCacheFile"/>), sets
    /// <see cref="Gemm.Plan"/> and returns the choice; later calls return the first choice.</summary>
    /// <exception cref="ArgumentException"><see cref="Variable"/> holds neither a mode nor a valid plan.</exception>
    public static KernelChoice Apply(Action<string>? warn = null)
    {
        lock (Gate)
        {
            if (Current is not null) return Current;
            var choice = Choose(Environment.GetEnvironmentVariable(Variable), DefaultCacheFile, warn);
            Gemm.Plan = choice.Plan;
            Current = choice;
            return choice;
        }
    }

    /// <summary>The choice for <paramref name="setting"/> (<see cref="Variable"/>'s value) with the cache at
    /// <paramref name="cacheFile"/>; does not change <see cref="Gemm.Plan"/>.</summary>
    public static KernelChoice Choose(string? setting, string cacheFile, Action<string>? warn = null)
    {
        string key = CpuIdentity.Key;
        string mode = string.IsNullOrWhiteSpace(setting) ? "auto" : setting.Trim().ToLowerInvariant();
        var width = SimdPath.Active;
        if (mode == "rule")
            return new(GemmPlan.Rule(width), TuningSource.Rule, $"{Variable}=rule: the rule for {width}", key, []);
        if (mode is not ("auto" or "calibrate"))
        {
            GemmPlan forced;
            try
            {
                forced = GemmPlan.Parse(mode);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{Variable}={setting}: give auto, calibrate, rule or a plan such as 3x128 ({e.Message})", e);
            }
            return new(forced, TuningSource.Forced, $"{Variable}={forced}", key, []);
        }
        if (width == SimdWidth.Scalar)
            return new(GemmPlan.Rule(width), TuningSource.Rule, "scalar kernels: no SIMD blocking to choose", key, []);
        if (mode == "auto" && ReadCached(cacheFile, key, warn) is { } cached) return cached;

        var measured = GemmCalibration.Run();
        var plan = GemmPlan.Parse(measured.Plan);
        var best = measured.Timings.First(t => t.Plan == measured.Plan);
        var rule = measured.Timings.FirstOrDefault(t => t.Plan == GemmPlan.Rule(width).ToString());
        string why = $"measured now on {width}: {best.Gflops:F1} GFLOP/s on the update's products" +
            (rule is null || rule.Plan == best.Plan ? " (the rule's plan; another must be 3% faster to replace it)" : $", the rule's {rule.Plan} {rule.Gflops:F1}");
        try
        {
            Write(cacheFile, key, plan, measured.Timings);
            why += $"; cached in {cacheFile}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warn?.Invoke($"kernel tuning: could not write {cacheFile} ({e.Message}); the next run calibrates again.");
        }
        return new(plan, TuningSource.Calibrated, why, key, measured.Timings);
    }

    private static KernelChoice? ReadCached(string cacheFile, string key, Action<string>? warn)
    {
        if (!File.Exists(cacheFile)) return null;
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(cacheFile))?.AsObject() ?? throw new FormatException("not a JSON object");
            if ((string?)root["format"] != Format || (int?)root["version"] != Version)
                throw new FormatException($"format/version is not {Format} {Version}");
            if (root["cpus"]?[key] is not JsonObject entry) return null; // another CPU's cache (a shared home folder)
            var plan = GemmPlan.Parse((string?)entry["gemm_plan"] ?? throw new FormatException($"cpus[\"{key}\"] has no gemm_plan"));
            var timings = entry["timings"]?.Deserialize<GemmCalibration.Timing[]>(JsonOptions) ?? [];
            return new(plan, TuningSource.Cached, $"measured {(string?)entry["measured_utc"] ?? "by an earlier run"}, read from {cacheFile}", key, timings);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or IOException)
        {
            warn?.Invoke($"kernel tuning: {cacheFile} is unusable ({e.Message}); calibrating again and rewriting it.");
            return null;
        }
    }

    private static void Write(string cacheFile, string key, GemmPlan plan, IReadOnlyList<GemmCalibration.Timing> timings)
    {
        JsonObject root;
        try
        {
            root = File.Exists(cacheFile) && JsonNode.Parse(File.ReadAllText(cacheFile)) is JsonObject o && (string?)o["format"] == Format ? o : new JsonObject();
        }
        catch (JsonException)
        {
            root = new JsonObject();
        }
        root["format"] = Format;
        root["version"] = Version;
        if (root["cpus"] is not JsonObject cpus) root["cpus"] = cpus = new JsonObject();
        cpus[key] = new JsonObject
        {
            ["gemm_plan"] = plan.ToString(),
            ["measured_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'"),
            ["timings"] = JsonSerializer.SerializeToNode(timings, JsonOptions),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(root, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Write(cacheFile, file => file.Write(bytes));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
