using System.Reflection;
using System.Runtime.InteropServices;

namespace NafNative.Sim.Mujoco;

/// <summary>P/Invoke declarations of the nafmujoco shim (Mujoco/Native/nafmujoco.c). Every MuJoCo call goes through
/// it: it reads mjModel/mjData fields at the offsets the installed headers give and turns mju_error into a return
/// code, so nothing here mirrors a MuJoCo struct.</summary>
internal static unsafe partial class MujocoNative
{
    internal const string Library = "nafmujoco";

    /// <summary>Codes of naf_model_size.</summary>
    internal enum Size { Nq = 0, Nv = 1, Nu = 2, Nbody = 3, Njnt = 4, Ngeom = 5, Nsite = 6, Nsensordata = 7, Neq = 8 }

    /// <summary>Codes of naf_model_real.</summary>
    internal enum ModelReal
    {
        JointRange = 0, ActuatorCtrlRange = 1, BodyMass = 2, DofDamping = 3, DofArmature = 4, Qpos0 = 5, GeomSize = 6, GeomPos = 7,
        GeomQuat = 8,
    }

    /// <summary>Codes of naf_model_int.</summary>
    internal enum ModelInt { JointQposAddress = 0, JointDofAddress = 1, JointType = 2, GeomType = 3, GeomBodyId = 4, BodyParentId = 5 }

    /// <summary>Codes of naf_model_float.</summary>
    internal enum ModelFloat { GeomRgba = 0 }

    /// <summary>Codes of naf_data_real.</summary>
    internal enum DataReal
    {
        Qpos = 0, Qvel = 1, Ctrl = 2, QfrcApplied = 3, QfrcBias = 4, Xpos = 5, Xquat = 6, SiteXpos = 7, SiteXmat = 8,
        SensorData = 9, Qacc = 10,
    }

    // An explicit static constructor runs before the first call of any import below, so the resolver is in place.
    static MujocoNative() => NativeLibrary.SetDllImportResolver(typeof(MujocoNative).Assembly, Resolve);

    /// <summary>The shim is built next to this assembly (NafNative.Sim.csproj); it pulls in libmujoco.so.2.2.2 itself.</summary>
    internal static string ShimPath => Path.Combine(AssemblyDirectory, "libnafmujoco.so");

    /// <summary>Where NafNative.Sim.dll is, and with it the shim and the mujoco/ models the build copies beside it.</summary>
    internal static string AssemblyDirectory =>
        Path.GetDirectoryName(typeof(MujocoNative).Assembly.Location) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library && NativeLibrary.TryLoad(ShimPath, out nint handle) ? handle : 0;

    [LibraryImport(Library)] internal static partial nint naf_last_error();
    [LibraryImport(Library)] internal static partial nint naf_last_warning();
    [LibraryImport(Library)] internal static partial int naf_header_version();
    [LibraryImport(Library)] internal static partial int naf_library_version();
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint naf_load_xml(string path, byte* error, int errorSize);
    [LibraryImport(Library)] internal static partial nint naf_make_data(nint model);
    [LibraryImport(Library)] internal static partial void naf_delete_model(nint model);
    [LibraryImport(Library)] internal static partial void naf_delete_data(nint data);
    [LibraryImport(Library)] internal static partial int naf_step(nint model, nint data, int count);
    [LibraryImport(Library)] internal static partial int naf_step1(nint model, nint data);
    [LibraryImport(Library)] internal static partial int naf_step2(nint model, nint data);
    [LibraryImport(Library)] internal static partial int naf_forward(nint model, nint data);
    [LibraryImport(Library)] internal static partial int naf_reset(nint model, nint data);
    [LibraryImport(Library)] internal static partial int naf_site_velocity(nint model, nint data, int site, double* output);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int naf_name2id(nint model, int type, string name);
    [LibraryImport(Library)] internal static partial int naf_model_size(nint model, int which);
    [LibraryImport(Library)] internal static partial double naf_model_timestep(nint model);
    [LibraryImport(Library)] internal static partial double* naf_model_real(nint model, int which);
    [LibraryImport(Library)] internal static partial int* naf_model_int(nint model, int which);
    [LibraryImport(Library)] internal static partial float* naf_model_float(nint model, int which);
    [LibraryImport(Library)] internal static partial nint naf_id2name(nint model, int type, int id);
    [LibraryImport(Library)] internal static partial double* naf_data_real(nint data, int which);
    [LibraryImport(Library)] internal static partial double naf_data_time(nint data);
    [LibraryImport(Library)] internal static partial int naf_data_ncon(nint data);
    [LibraryImport(Library)] internal static partial int naf_data_instability_warnings(nint data);

    internal static string LastError() => Marshal.PtrToStringUTF8(naf_last_error()) ?? "";
    internal static string LastWarning() => Marshal.PtrToStringUTF8(naf_last_warning()) ?? "";
}
