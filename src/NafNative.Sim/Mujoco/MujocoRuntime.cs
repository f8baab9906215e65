using System.Runtime.InteropServices;

namespace NafNative.Sim.Mujoco;

/// <summary>Whether MuJoCo 2.2.2 can be used here, and what to install when it cannot.</summary>
public static class MujocoRuntime
{
    /// <summary>The MuJoCo version the shim, the models and the tests were written for (mjVERSION_HEADER).</summary>
    public const int RequiredVersion = 222;

    /// <summary>What makes the MuJoCo tasks work on Debian 12 (the CI script runs exactly this).</summary>
    public const string InstallHint =
        "install MuJoCo 2.2.2 and a C compiler with `apt-get install -y gcc libmujoco-dev`, then rebuild " +
        "(`dotnet build -c Release`): the build compiles the small C shim libnafmujoco.so that NafNative calls MuJoCo through";

    /// <summary>Set this environment variable to 1 to make MuJoCo unavailable even where it is installed (CI checks
    /// that the MuJoCo tests then skip with the install command instead of failing).</summary>
    public const string DisableVariable = "NAFNATIVE_DISABLE_MUJOCO";

    private static readonly Lazy<string?> Problem = new(FindProblem);

    /// <summary>True when the shim and libmujoco.so.2.2.2 load and report version 2.2.2.</summary>
    public static bool IsAvailable => Problem.Value is null;

    /// <summary>Why MuJoCo cannot be used (null when it can).</summary>
    public static string? UnavailableReason => Problem.Value;

    /// <summary>True when <see cref="DisableVariable"/> turns MuJoCo off (set, and neither empty nor 0).</summary>
    public static bool IsDisabled => Disabled(Environment.GetEnvironmentVariable(DisableVariable)) is not null;

    /// <summary>Throws <see cref="MujocoUnavailableException"/> with the reason and the install command unless MuJoCo
    /// can be used.</summary>
    public static void EnsureAvailable(string task)
    {
        if (Problem.Value is { } problem)
            throw new MujocoUnavailableException($"task '{task}' runs on MuJoCo, which is not usable here: {problem}");
    }

    private static string? FindProblem() =>
        Disabled(Environment.GetEnvironmentVariable(DisableVariable))
        ?? Diagnose(MujocoNative.ShimPath, File.Exists("/usr/include/mujoco/mujoco.h"));

    /// <summary>The reason MuJoCo is unavailable when <see cref="DisableVariable"/> has <paramref name="value"/> (null
    /// when unset, empty or 0).</summary>
    internal static string? Disabled(string? value) =>
        string.IsNullOrEmpty(value) || value == "0"
            ? null
            : $"MuJoCo is disabled by {DisableVariable}={value}; unset it to use an installed MuJoCo, or where none is, {InstallHint}.";

    /// <summary>Why MuJoCo cannot be used through the shim at <paramref name="shim"/> (null when it can).</summary>
    internal static string? Diagnose(string shim, bool headersInstalled)
    {
        if (!File.Exists(shim))
            return headersInstalled
                ? $"{shim} was not built (libmujoco-dev is installed, so rebuild with gcc present: `apt-get install -y gcc` then `dotnet build -c Release`)."
                : $"{shim} is missing because libmujoco-dev was not installed when this was built; {InstallHint}.";
        if (!NativeLibrary.TryLoad(shim, out _))
            return $"{shim} exists but does not load (is libmujoco.so.2.2.2 still installed?); {InstallHint}.";
        int version = MujocoNative.naf_library_version();
        if (version != RequiredVersion || MujocoNative.naf_header_version() != RequiredVersion)
            return $"the installed MuJoCo reports version {version / 100}.{version / 10 % 10}.{version % 10} (headers {MujocoNative.naf_header_version()}); " +
                   $"NafNative's models and shim are written for 2.2.2 (Debian 12's libmujoco-dev); {InstallHint}.";
        return null;
    }
}

/// <summary>MuJoCo is not installed (or not the supported version); the message says what to install.</summary>
public sealed class MujocoUnavailableException(string message) : InvalidOperationException(message);

/// <summary>MuJoCo reported an error (bad model file, simulation error); the message is MuJoCo's, with context.</summary>
public sealed class MujocoException(string message) : InvalidOperationException(message);
