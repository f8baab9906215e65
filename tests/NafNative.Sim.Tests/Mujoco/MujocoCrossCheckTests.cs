using System.Diagnostics;
using System.Globalization;
using System.Text;
using NafNative.Sim.Mujoco;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Sim.Tests.Mujoco;

/// <summary>The binding reads mjModel/mjData through the shim; a tiny C program (crosscheck.c) reads the same fields
/// directly with MuJoCo's headers. Stepping the shipped models the same way from both sides must print bit-identical
/// numbers: a wrong offset, length or address anywhere in the path shows up as a different line.</summary>
public sealed class MujocoCrossCheckTests
{
    private static string? _program;

    private static string Program()
    {
        if (_program is not null) return _program;
        string source = Path.Combine(TestContext.CurrentContext.TestDirectory, "crosscheck.c");
        string output = Path.Combine(Path.GetTempPath(), $"nafnative-crosscheck-{Environment.ProcessId}");
        var (exit, _, stderr) = Run("gcc", $"-O2 -o {output} {source} -lmujoco -lm");
        Assert.That(exit, Is.Zero, $"gcc failed: {stderr}");
        return _program = output;
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_program is not null) File.Delete(_program);
    }

    [TestCase("door_push.xml", 3000)]
    [TestCase("door_pull.xml", 500)]
    [TestCase("pick_place.xml", 3000)]
    public void Binding_MatchesTheCApiBitForBit(string file, int steps)
    {
        MujocoTestGuard.Require();
        string path = Path.Combine(MujocoModels.Directory, file);
        var (exit, expected, stderr) = Run(Program(), $"{path} {steps}");
        Assert.That(exit, Is.Zero, stderr);

        string actual = Describe(path, steps, out int contacts);

        var expectedLines = expected.TrimEnd().Split('\n');
        var actualLines = actual.TrimEnd().Split('\n');
        Assert.That(actualLines, Has.Length.EqualTo(expectedLines.Length), "line count");
        for (int i = 0; i < expectedLines.Length; i++)
            Assert.That(actualLines[i], Is.EqualTo(expectedLines[i]), $"line {i + 1} of {file}");
        if (file == "pick_place.xml") Assert.That(contacts, Is.GreaterThan(0), "the cube rests on the floor: contacts were exercised");
    }

    /// <summary>The same drive and printout as crosscheck.c, through the binding.</summary>
    private static string Describe(string path, int steps, out int contacts)
    {
        using var model = MujocoModel.Load(path);
        using var sim = new MujocoSimulation(model);
        var text = new StringBuilder();
        void Line(string s) => text.Append(s).Append('\n');
        void Row(string name, ReadOnlySpan<double> values)
        {
            text.Append(name);
            foreach (double v in values) text.Append(' ').Append(Hex(v));
            text.Append('\n');
        }
        Line($"sizes {model.PositionCount} {model.VelocityCount} {model.ActuatorCount} {model.BodyCount} {model.JointCount} {model.SiteCount}");
        Line($"timestep {Hex(model.Timestep)}");
        for (int j = 0; j < model.JointCount; j++)
        {
            var (lower, upper) = model.JointRangeById(j);
            Line($"joint {j} {model.JointPositionAddressById(j)} {model.JointVelocityAddressById(j)} {Hex(lower)} {Hex(upper)}");
        }
        for (int a = 0; a < model.ActuatorCount; a++)
        {
            var (lower, upper) = model.ControlRangeById(a);
            Line($"ctrlrange {a} {Hex(lower)} {Hex(upper)}");
        }
        Row("damping", model.DofDamping);
        Row("mass", model.BodyMass);

        double[] home = [0, 0.5, 0, -1.5, 0, 1.14, 0];
        home.CopyTo(sim.Qpos);
        sim.Forward();
        for (int k = 0; k < steps; k++)
        {
            sim.Step1();
            Span<double> ctrl = sim.Ctrl;
            ReadOnlySpan<double> bias = sim.QfrcBias;
            for (int i = 0; i < 7; i++) ctrl[i] = bias[i] + 20.0 * Math.Sin(0.01 * k + i);
            ctrl[7] = ctrl[8] = 0.02 + 0.02 * Math.Sin(0.005 * k);
            sim.QfrcApplied[6] = 0.5 * Math.Cos(0.02 * k);
            sim.Step2();
        }
        sim.Forward();
        contacts = sim.ContactCount;
        Line($"time {Hex(sim.Time)}");
        Line($"ncon {sim.ContactCount}");
        Row("qpos", sim.Qpos);
        Row("qvel", sim.Qvel);
        Row("qacc", sim.Qacc);
        Row("ctrl", sim.Ctrl);
        Row("qfrc_applied", sim.QfrcApplied);
        Row("qfrc_bias", sim.QfrcBias);
        Row("xpos", sim.BodyPositions);
        Row("xquat", sim.BodyQuaternions);
        Row("site_xpos", sim.SitePositions);
        Row("site_xmat", sim.SiteRotations);
        return text.ToString();
    }

    /// <summary>glibc's printf("%a") for a double: 0x0p+0, -0x0p+0, 0x1.8p+1, 0x1.23p-1074 style (normals as
    /// 0x1.&lt;hex&gt;p±e with trailing zero digits dropped; subnormals as 0x0.&lt;hex&gt;p-1022).</summary>
    internal static string Hex(double value)
    {
        if (double.IsNaN(value)) return double.IsNegative(value) ? "-nan" : "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        long bits = BitConverter.DoubleToInt64Bits(value);
        string sign = bits < 0 ? "-" : "";
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0 && mantissa == 0) return sign + "0x0p+0";
        string digits = mantissa.ToString("x13", CultureInfo.InvariantCulture).TrimEnd('0');
        string lead = exponent == 0 ? "0" : "1";
        int e = exponent == 0 ? -1022 : exponent - 1023;
        return $"{sign}0x{lead}{(digits.Length > 0 ? "." + digits : "")}p{(e >= 0 ? "+" : "")}{e}";
    }

    [TestCase(0.0, "0x0p+0")]
    [TestCase(-0.0, "-0x0p+0")]
    [TestCase(1.0, "0x1p+0")]
    [TestCase(3.0, "0x1.8p+1")]
    [TestCase(0.1, "0x1.999999999999ap-4")]
    [TestCase(-2.5e-3, "-0x1.47ae147ae147bp-9")]
    [TestCase(double.Epsilon, "0x0.0000000000001p-1022")]
    public void Hex_FormatsLikeGlibcPrintfA(double value, string expected) => Assert.That(Hex(value), Is.EqualTo(expected));

    private static (int Exit, string Stdout, string Stderr) Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
