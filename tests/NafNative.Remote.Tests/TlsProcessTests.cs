using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NafNative.Remote.Security;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>naf learner serving TLS with a PKCS#12 (.pfx) certificate made in the test (its password in
/// NAF_TLS_PASSWORD), and naf worker processes that trust it (--tls-ca with its PEM) or do not.</summary>
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class TlsProcessTests
{
    private const int SigTerm = 15;
    private const string Password = "pfx-password-for-the-test";
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("POSIX signals: Linux only");
        _dir = Directory.CreateTempSubdirectory("naf-tls-").FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A self-signed RSA certificate for 127.0.0.1 and localhost: learner.pfx (password-protected, with its
    /// key) and learner.pem (the certificate alone, for the workers to trust).</summary>
    private (string Pfx, string Pem) WritePfx()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=naf-learner", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string pfx = Path.Combine(_dir, "learner.pfx"), pem = Path.Combine(_dir, "learner.pem");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, Password));
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        return (pfx, pem);
    }

    private static readonly Dictionary<string, string> WithPassword = new() { [TlsFiles.PfxPasswordVariable] = Password };

    [Test]
    public void PfxLearner_WorkerTrustingItsCertificateDelivers_OneThatDoesNotStopsWithTheReason()
    {
        var (pfx, pem) = WritePfx();
        int port = LearnerProcessSetup.FreePort();
        string url = $"https://127.0.0.1:{port}";
        using var learner = new NafProcess(LearnerProcessSetup.Learner(_dir, port, "--tls-cert", pfx), environment: WithPassword);
        learner.WaitUntil(() => learner.Err.Contains("listening on https://"), 90, "the learner listened with TLS");

        using (var untrusting = new NafProcess(["worker", "--connect", url, "--task", "reach", "--name", "arm-untrusting", .. NafProcess.PatientWatchdog]))
        {
            Assert.That(untrusting.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "a worker that does not trust the certificate stops");
            Assert.That(untrusting.ExitCode, Is.EqualTo(1));
            Assert.That(untrusting.Err, Does.Contain("TLS to the learner failed").And.Contain("--tls-ca"));
        }

        using var worker = new NafProcess(["worker", "--connect", url, "--tls-ca", pem, "--task", "reach", "--name", "arm-tls", .. NafProcess.PatientWatchdog]);
        learner.WaitUntil(() => learner.Err.Contains("'arm-tls' registered"), 60, "the trusting worker registered");
        learner.WaitUntil(() => LearnerProcessSetup.TransitionsOf(_dir, "arm-tls") > 0, 60, "its experience reached the learner");
        worker.Signal(SigTerm);
        Assert.That(worker.WaitForExit(TimeSpan.FromSeconds(20)), Is.True);
        learner.Signal(SigTerm);
        Assert.That(learner.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the learner stops on SIGTERM");
        var (acknowledged, _, registrations) = WorkerProcessTests.Parse(worker);
        Assert.Multiple(() =>
        {
            Assert.That(worker.ExitCode, Is.EqualTo(143), worker.Err);
            Assert.That(acknowledged, Is.GreaterThan(0), "transitions acknowledged over TLS");
            Assert.That(registrations, Is.EqualTo(1));
            Assert.That(learner.ExitCode, Is.EqualTo(143), learner.Err);
            Assert.That(learner.Err, Does.Contain($"listening on https://127.0.0.1:{port} (TLS, token required)"));
            Assert.That(learner.Err, Does.Not.Contain("'arm-untrusting' registered"), "the handshake failed before any call");
        });
    }

    [Test]
    public void PfxLearner_WrongPassword_ExitsNamingTheFileBeforeMakingARunFolder()
    {
        var (pfx, _) = WritePfx();
        using var learner = new NafProcess(LearnerProcessSetup.Learner(_dir, LearnerProcessSetup.FreePort(), "--tls-cert", pfx),
            environment: new Dictionary<string, string> { [TlsFiles.PfxPasswordVariable] = "not-the-password" });
        Assert.That(learner.WaitForExit(TimeSpan.FromSeconds(60)), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(learner.ExitCode, Is.EqualTo(1));
            Assert.That(learner.Err, Does.Contain($"--tls-cert {pfx}"));
            Assert.That(Directory.Exists(Path.Combine(_dir, "run")), Is.False, "a bad setting leaves nothing behind");
        });
    }
}
